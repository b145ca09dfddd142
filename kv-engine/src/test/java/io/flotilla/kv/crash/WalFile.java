package io.flotilla.kv.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the framing of a RocksDB write-ahead log file (the {@code NNNNNN.log} files), enough to
 * corrupt one chosen write on purpose: RocksDB's {@code db/log_format.h}. The file is a sequence
 * of 32 KiB blocks; each holds physical records with a 7-byte header (masked CRC32C, 4; length,
 * 2; type, 1), or 11 bytes for the recyclable types, which add the log number. A write that does
 * not fit the rest of a block is split into FIRST, MIDDLE.. and LAST fragments; a block tail too
 * short for a header is zero padding. Each logical record is one {@code WriteBatch}: sequence
 * number (8, little-endian), count (4), then the operations.
 */
final class WalFile {
  private static final int BLOCK_BYTES = 32 * 1024;
  private static final int HEADER_BYTES = 7;
  private static final int RECYCLABLE_HEADER_BYTES = 11;

  /** One write: where its payload fragments lie in the file, and its WriteBatch header. */
  record Write(List<long[]> fragments, long sequence, int count) {
    /** File offset of a byte in the middle of the write's first fragment. */
    long middleOfFirstFragment() {
      return fragments.get(0)[0] + fragments.get(0)[1] / 2;
    }
  }

  private WalFile() {}

  /** The writes in {@code file}, in order; metadata records (compression type etc.) skipped. */
  static List<Write> writes(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    List<Write> out = new ArrayList<>();
    List<long[]> pending = null;
    ByteBuffer batchHeader = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    int pos = 0;
    while (pos + HEADER_BYTES <= b.length) {
      int blockLeft = BLOCK_BYTES - pos % BLOCK_BYTES;
      if (blockLeft < HEADER_BYTES) {
        pos += blockLeft;
        continue;
      }
      int length = bb.getShort(pos + 4) & 0xffff;
      int type = b[pos + 6] & 0xff;
      if (type == 0) {
        break; // zeroes: the unwritten (preallocated) end of the file
      }
      boolean recyclable = type >= 5 && type <= 8;
      int logicalType = recyclable ? type - 4 : type;
      int payload = pos + (recyclable ? RECYCLABLE_HEADER_BYTES : HEADER_BYTES);
      switch (logicalType) {
        case 1 -> pending = new ArrayList<>(); // FULL
        case 2 -> pending = new ArrayList<>(); // FIRST
        case 3, 4 -> {
          if (pending == null) {
            throw new IOException(file + ": fragment of type " + type + " at " + pos
                + " continues no record");
          }
        }
        default -> pending = null; // a metadata record, not a write
      }
      if (pending != null) {
        pending.add(new long[] {payload, length});
        if (logicalType == 1 || logicalType == 4) {
          batchHeader.clear();
          for (long[] f : pending) {
            int n = (int) Math.min(f[1], batchHeader.remaining());
            batchHeader.put(b, (int) f[0], n);
          }
          out.add(new Write(pending, batchHeader.getLong(0), batchHeader.getInt(8)));
          pending = null;
        }
      }
      pos = payload + length;
    }
    return out;
  }

  /**
   * File offset of the header of {@code w}'s first fragment. The store never recycles log files,
   * so its records use the 7-byte legacy header.
   */
  static long recordStart(Write w) {
    return w.fragments().get(0)[0] - HEADER_BYTES;
  }
}
