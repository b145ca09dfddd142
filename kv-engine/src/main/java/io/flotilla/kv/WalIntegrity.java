package io.flotilla.kv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Refuses to open a store whose RocksDB write-ahead log is damaged in the middle.
 *
 * <p>RocksDB's point-in-time recovery stops replaying a WAL at its first bad record. That is
 * right for a torn tail (the write in progress when the process died, never acknowledged), but a
 * bad record followed by good ones means acknowledged writes after it would be dropped without a
 * word. So before opening, every {@code NNNNNN.log} file is scanned; if a record fails its
 * checksum and a valid record follows it in the same file, the open fails naming the file and
 * the offset. (Across files the check would need the MANIFEST's record of which logs are still
 * live, so it stays within one file, where appends leave no other explanation.)
 *
 * <p>Format (RocksDB {@code db/log_format.h}): 32 KiB blocks of records, each with a header of
 * masked CRC32C (4, little-endian), length (2, little-endian) and type (1), plus the log number
 * (4) for the recyclable types 5..8; the CRC covers the type byte, that log number and the
 * payload. A block tail shorter than a header is padding.
 */
final class WalIntegrity {
  private static final int BLOCK_BYTES = 32 * 1024;
  private static final int HEADER_BYTES = 7;
  private static final int MASK_DELTA = 0xa282ead8;

  private WalIntegrity() {}

  /** Throws if any WAL file in {@code dir} has a damaged record with valid records after it. */
  static void check(Path dir) {
    List<Path> wals;
    try (Stream<Path> files = Files.list(dir)) {
      wals = files.filter(p -> p.getFileName().toString().matches("\\d+\\.log")).sorted()
          .toList();
    } catch (IOException e) {
      throw new StoreException(dir, "cannot list the write-ahead log files", e);
    }
    for (Path wal : wals) {
      byte[] b;
      try {
        b = Files.readAllBytes(wal);
      } catch (IOException e) {
        throw new StoreException(dir, "cannot read write-ahead log " + wal.getFileName(), e);
      }
      long damagedAt = firstDamageFollowedByValidData(b);
      if (damagedAt >= 0) {
        throw new StoreException(dir, "write-ahead log " + wal + " is corrupt at offset "
            + damagedAt + " and valid writes follow it, so recovering would silently drop"
            + " acknowledged writes; replace this store from its replicas (remove it and let the"
            + " node rejoin)");
      }
    }
  }

  /** The offset of the first bad record if a valid one follows it, else -1. */
  static long firstDamageFollowedByValidData(byte[] b) {
    long damagedAt = -1;
    int pos = 0;
    while (pos + HEADER_BYTES <= b.length) {
      int blockLeft = BLOCK_BYTES - pos % BLOCK_BYTES;
      if (blockLeft < HEADER_BYTES) {
        pos += blockLeft;
        continue;
      }
      int length = (b[pos + 4] & 0xff) | (b[pos + 5] & 0xff) << 8;
      int type = b[pos + 6] & 0xff;
      int header = type >= 5 && type <= 8 ? HEADER_BYTES + 4 : HEADER_BYTES;
      if (type == 0 && length == 0) {
        // Zeroes: preallocated space or block padding, not a record.
        pos += blockLeft;
        continue;
      }
      int end = pos + header + length;
      if (end > b.length || header + length > blockLeft || !crcMatches(b, pos, header, length)) {
        if (damagedAt < 0) {
          damagedAt = pos;
        }
        pos += blockLeft;
        continue;
      }
      if (damagedAt >= 0) {
        return damagedAt;
      }
      pos = end;
    }
    return -1;
  }

  private static boolean crcMatches(byte[] b, int pos, int header, int length) {
    int stored = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16
        | (b[pos + 3] & 0xff) << 24;
    int rot = stored - MASK_DELTA;
    int expected = (rot >>> 17) | (rot << 15);
    CRC32C crc = new CRC32C();
    crc.update(b, pos + 6, 1);
    crc.update(b, pos + HEADER_BYTES, header - HEADER_BYTES + length);
    return (int) crc.getValue() == expected;
  }
}
