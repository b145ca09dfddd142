package io.flotilla.kv.snapshot;

import io.flotilla.kv.Cf;
import java.util.zip.CRC32C;

/**
 * One piece of one snapshot file, the unit sent over the wire. Its CRC32C travels with it so
 * that the receiver refuses a damaged chunk on arrival and the sender resends just that chunk.
 *
 * <p>{@code data} is not copied (chunks are large and short-lived); do not change it after
 * building the chunk.
 *
 * @param snapshotId the snapshot this chunk belongs to
 * @param fileName the file within the snapshot ({@link SnapshotFile#name()})
 * @param cf the file's column family
 * @param offset where {@code data} starts in the file
 * @param data the bytes
 * @param crc32c CRC32C of {@code data} as the sender computed it
 */
public record SnapshotChunk(long snapshotId, String fileName, Cf cf, long offset, byte[] data,
    int crc32c) {
  public SnapshotChunk {
    if (offset < 0 || data == null) {
      throw new IllegalArgumentException("chunk of " + fileName + " needs an offset >= 0 and"
          + " data, got offset " + offset);
    }
  }

  /** A chunk whose checksum is computed from {@code data}. */
  public static SnapshotChunk of(long snapshotId, String fileName, Cf cf, long offset,
      byte[] data) {
    return new SnapshotChunk(snapshotId, fileName, cf, offset, data, crc32c(data));
  }

  static int crc32c(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    return (int) crc.getValue();
  }

  @Override
  public String toString() {
    return "chunk of " + fileName + " at offset " + offset + " (" + data.length + " bytes)";
  }
}
