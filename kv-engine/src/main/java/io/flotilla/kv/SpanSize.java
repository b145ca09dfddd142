package io.flotilla.kv;

import io.flotilla.kv.snapshot.KeySpan;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.Range;
import org.rocksdb.RocksDBException;
import org.rocksdb.Slice;
import org.rocksdb.SizeApproximationFlag;

/**
 * How much a span of the MVCC families holds, as RocksDB estimates it from file metadata and
 * memtables, without reading the data: what the placement driver splits and balances by.
 *
 * @param bytes stored bytes of the span (compressed, in files; raw in memtables)
 * @param keys the span's share of the families' estimated key count, by its share of their bytes
 */
public record SpanSize(long bytes, long keys) {
  /** Above every MVCC-encoded key: stands in for "no end" where RocksDB needs a limit. */
  private static final byte[] AFTER_ALL = filled(64);

  private static byte[] filled(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 0xFF);
    return b;
  }

  public static SpanSize estimate(Store store, KeySpan span) {
    long bytes = 0;
    double keys = 0;
    byte[] end = span.end() == null ? AFTER_ALL : span.end();
    for (Cf cf : KeySpan.DATA_CFS) {
      try (Slice from = new Slice(span.start()); Slice to = new Slice(end);
          Slice first = new Slice(new byte[0]); Slice last = new Slice(AFTER_ALL)) {
        long[] sizes = store.db().getApproximateSizes(store.handle(cf),
            List.of(new Range(from, to), new Range(first, last)),
            SizeApproximationFlag.INCLUDE_FILES, SizeApproximationFlag.INCLUDE_MEMTABLES);
        bytes += sizes[0];
        if (sizes[1] > 0) {
          long cfKeys = store.db().getLongProperty(store.handle(cf), "rocksdb.estimate-num-keys");
          keys += (double) cfKeys * Math.min(1.0, (double) sizes[0] / sizes[1]);
        }
      } catch (RocksDBException e) {
        throw store.failure("estimate the size of " + span + " in " + cf.rocksName(), e);
      }
    }
    return new SpanSize(bytes, Math.round(keys));
  }
}
