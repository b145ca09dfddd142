package io.flotilla.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.mvcc.MvccKeys;
import io.flotilla.kv.mvcc.MvccWriter;
import io.flotilla.kv.mvcc.Mutation;
import io.flotilla.kv.snapshot.KeySpan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.WriteBatch;

class SpanSizeTest {
  @TempDir
  Path dir;

  private static byte[] key(String prefix, int i) {
    return String.format("%s%05d", prefix, i).getBytes(StandardCharsets.UTF_8);
  }

  private static KeySpan span(String from, String to) {
    return new KeySpan(MvccKeys.encodeUserKey(from.getBytes(StandardCharsets.UTF_8)),
        to == null ? null : MvccKeys.encodeUserKey(to.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aSpanWithMoreDataIsEstimatedLargerInMemtablesAndInFiles() throws Exception {
    try (Store store = Store.create(dir, new StoreIdentity(1, 1, Store.FORMAT_VERSION),
        StoreOptions.DEFAULTS)) {
      byte[] value = new byte[200];
      try (WriteBatch b = new WriteBatch(); ReadOptions ro = new ReadOptions()) {
        MvccWriter w = new MvccWriter(store, ro, b);
        for (int i = 0; i < 3000; i++) {
          w.writeNewest(Mutation.put(key("b", i), value), 10);
        }
        for (int i = 0; i < 300; i++) {
          w.writeNewest(Mutation.put(key("d", i), value), 10);
        }
        store.write(b);
      }
      check(store);
      try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
        for (Cf cf : KeySpan.DATA_CFS) {
          store.db().flush(f, store.handle(cf));
        }
      }
      check(store);
    }
  }

  private static void check(Store store) {
    SpanSize big = SpanSize.estimate(store, span("b", "c"));
    SpanSize small = SpanSize.estimate(store, span("d", null));
    SpanSize empty = SpanSize.estimate(store, span("x", null));
    assertTrue(big.bytes() > 5 * small.bytes() && small.bytes() > 0, big + " vs " + small);
    assertTrue(big.keys() > small.keys(), big + " vs " + small);
    assertEquals(0, empty.bytes());
  }
}
