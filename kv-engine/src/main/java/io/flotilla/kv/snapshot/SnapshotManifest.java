package io.flotilla.kv.snapshot;

import io.flotilla.kv.Cf;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a range snapshot consists of: the span it replaces, its SST files with their sizes and
 * checksums, and an opaque context for the layer above (e.g. the raft index, term and range
 * descriptor the snapshot was taken at), which comes back from {@link
 * RangeSnapshotReceiver#recover} when an ingest is redone after a crash.
 *
 * <p>Byte format of {@link #encode()} (big-endian), which is also the ingest marker's content:
 * {@code "FLSM" | int version | long snapshotId | bytes start | bool hasEnd | [bytes end] |
 * bytes context | int fileCount | fileCount x (utf name | utf cf | long size | int crc32c) |
 * int crc32c of everything before}, where {@code bytes} is an int length and the bytes.
 *
 * @param formatVersion the snapshot format; a receiver refuses versions newer than {@link
 *     #FORMAT_VERSION}
 * @param snapshotId the snapshot's id, unique on the receiving store while it is in flight
 * @param span the key span the snapshot replaces in every column family of {@link
 *     KeySpan#DATA_CFS}
 * @param files the SST files, at most one list entry per name
 * @param context opaque to this package, at most {@link #MAX_CONTEXT_BYTES}
 */
public record SnapshotManifest(int formatVersion, long snapshotId, KeySpan span,
    List<SnapshotFile> files, byte[] context) {
  /** The format this build writes and the newest it ingests. */
  public static final int FORMAT_VERSION = 1;
  public static final int MAX_CONTEXT_BYTES = 1 << 20;
  private static final int MAGIC = 0x464c534d; // "FLSM"
  private static final int MAX_FILES = 100_000;
  private static final int MAX_KEY_BYTES = 1 << 20;

  public SnapshotManifest {
    if (formatVersion < 1) {
      throw new IllegalArgumentException("manifest format version must be >= 1");
    }
    if (span == null || files == null || context == null) {
      throw new IllegalArgumentException("manifest needs a span, a file list and a context"
          + " (empty if none)");
    }
    files = List.copyOf(files);
    Set<String> names = new HashSet<>();
    for (SnapshotFile f : files) {
      if (!names.add(f.name())) {
        throw new IllegalArgumentException("manifest lists file " + f.name() + " twice");
      }
    }
    if (context.length > MAX_CONTEXT_BYTES) {
      throw new IllegalArgumentException("manifest context of " + context.length
          + " bytes exceeds " + MAX_CONTEXT_BYTES);
    }
    context = context.clone();
  }

  @Override
  public byte[] context() {
    return context.clone();
  }

  public long totalBytes() {
    return files.stream().mapToLong(SnapshotFile::sizeBytes).sum();
  }

  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(formatVersion);
      out.writeLong(snapshotId);
      writeBytes(out, span.start());
      byte[] end = span.end();
      out.writeBoolean(end != null);
      if (end != null) {
        writeBytes(out, end);
      }
      writeBytes(out, context);
      out.writeInt(files.size());
      for (SnapshotFile f : files) {
        out.writeUTF(f.name());
        out.writeUTF(f.cf().rocksName());
        out.writeLong(f.sizeBytes());
        out.writeInt(f.crc32c());
      }
      out.writeInt(SnapshotChunk.crc32c(bytes.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory stream cannot fail", e);
    }
    return bytes.toByteArray();
  }

  /** Decodes {@link #encode()}'s output; a damaged or foreign input is refused, not guessed. */
  public static SnapshotManifest decode(byte[] raw) {
    if (raw.length < 8) {
      throw new IllegalArgumentException("manifest of " + raw.length + " bytes is truncated");
    }
    int stored = ((raw[raw.length - 4] & 0xff) << 24) | ((raw[raw.length - 3] & 0xff) << 16)
        | ((raw[raw.length - 2] & 0xff) << 8) | (raw[raw.length - 1] & 0xff);
    byte[] body = Arrays.copyOf(raw, raw.length - 4);
    if (SnapshotChunk.crc32c(body) != stored) {
      throw new IllegalArgumentException("manifest checksum mismatch (damaged or truncated)");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("not a snapshot manifest (bad magic)");
      }
      int version = in.readInt();
      if (version > FORMAT_VERSION) {
        throw new IllegalArgumentException("manifest format " + version
            + " is newer than this build understands (" + FORMAT_VERSION + ")");
      }
      long id = in.readLong();
      byte[] start = readBytes(in, MAX_KEY_BYTES);
      byte[] end = in.readBoolean() ? readBytes(in, MAX_KEY_BYTES) : null;
      byte[] context = readBytes(in, MAX_CONTEXT_BYTES);
      int count = in.readInt();
      if (count < 0 || count > MAX_FILES) {
        throw new IllegalArgumentException("manifest lists " + count + " files");
      }
      List<SnapshotFile> files = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        Cf cf = dataCf(in.readUTF());
        files.add(new SnapshotFile(name, cf, in.readLong(), in.readInt()));
      }
      if (in.available() != 0) {
        throw new IllegalArgumentException("manifest has trailing bytes");
      }
      return new SnapshotManifest(version, id, new KeySpan(start, end), files, context);
    } catch (IOException e) {
      throw new IllegalArgumentException("manifest is truncated", e);
    }
  }

  private static Cf dataCf(String rocksName) {
    for (Cf cf : KeySpan.DATA_CFS) {
      if (cf.rocksName().equals(rocksName)) {
        return cf;
      }
    }
    throw new IllegalArgumentException("manifest names column family '" + rocksName
        + "', which a range snapshot never carries");
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] readBytes(DataInputStream in, int max) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max) {
      throw new IllegalArgumentException("manifest field of " + n + " bytes (limit " + max + ")");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SnapshotManifest m && formatVersion == m.formatVersion
        && snapshotId == m.snapshotId && span.equals(m.span) && files.equals(m.files)
        && Arrays.equals(context, m.context);
  }

  @Override
  public int hashCode() {
    return (31 * Long.hashCode(snapshotId) + span.hashCode()) * 31 + files.hashCode();
  }

  @Override
  public String toString() {
    return "snapshot " + Long.toHexString(snapshotId) + " v" + formatVersion + " of " + span
        + ": " + files.size() + " files, " + totalBytes() + " bytes";
  }
}
