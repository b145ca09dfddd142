package io.flotilla.kv.snapshot;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A span of stored keys {@code [start, end)}, compared as unsigned bytes the way RocksDB's
 * default comparator does. It applies identically to every column family in {@link #DATA_CFS};
 * in those families keys are MVCC-encoded, and this package neither knows nor needs the encoding.
 *
 * @param start the first key of the span; empty means from the very first key
 * @param end the first key after the span, or {@code null} for no end
 */
public record KeySpan(byte[] start, byte[] end) {
  /** The column families a range snapshot carries; the raft log and raft state never move. */
  public static final List<Cf> DATA_CFS = List.of(Cf.DATA, Cf.LOCK, Cf.WRITE);

  public KeySpan {
    if (start == null) {
      throw new IllegalArgumentException("span start must not be null; use an empty key");
    }
    if (end != null && Arrays.compareUnsigned(start, end) >= 0) {
      throw new IllegalArgumentException("span end must be after its start: " + render(start, end));
    }
    start = start.clone();
    end = end == null ? null : end.clone();
  }

  /** The span from the first key to the last. */
  public static KeySpan all() {
    return new KeySpan(new byte[0], null);
  }

  @Override
  public byte[] start() {
    return start.clone();
  }

  @Override
  public byte[] end() {
    return end == null ? null : end.clone();
  }

  public boolean contains(byte[] key) {
    return Arrays.compareUnsigned(key, start) >= 0
        && (end == null || Arrays.compareUnsigned(key, end) < 0);
  }

  /**
   * Adds the deletion of every key of {@code span} in {@code cf} to {@code batch} (a range
   * deletion; with no end, up to and including the family's last key, found now). Keys outside
   * the span are never touched.
   */
  public static void deleteIn(Store store, Cf cf, KeySpan span, WriteBatch batch)
      throws RocksDBException {
    byte[] end = span.end();
    if (end != null) {
      batch.deleteRange(store.handle(cf), span.start(), end);
      return;
    }
    // A range deletion needs an end key and no key is greater than all others: delete up to
    // the family's last key, then that key itself.
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = store.newIterator(cf, ro)) {
      it.seekToLast();
      it.status();
      if (it.isValid() && span.contains(it.key())) {
        batch.deleteRange(store.handle(cf), span.start(), it.key());
        batch.delete(store.handle(cf), it.key());
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeySpan s && Arrays.equals(start, s.start) && Arrays.equals(end, s.end);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(start) + Arrays.hashCode(end);
  }

  @Override
  public String toString() {
    return render(start, end);
  }

  private static String render(byte[] start, byte[] end) {
    HexFormat hex = HexFormat.of();
    return "[" + hex.formatHex(start) + ", " + (end == null ? "end" : hex.formatHex(end)) + ")";
  }
}
