package io.flotilla.kv.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.Cf;
import io.flotilla.kv.SpanSize;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.kv.snapshot.KeySpan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.WriteBatch;

class SplitKeyFinderTest {
  @TempDir
  Path dir;

  private final SplittableRandom random = new SplittableRandom(7);

  private static byte[] key(String prefix, int i) {
    return String.format("%s%05d", prefix, i).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] enc(String userKey) {
    return MvccKeys.encodeUserKey(userKey.getBytes(StandardCharsets.UTF_8));
  }

  private byte[] value(int n) {
    byte[] v = new byte[n];
    random.nextBytes(v); // incompressible: the estimate sees the bytes written
    return v;
  }

  private Store store() {
    return Store.create(dir, new StoreIdentity(1, 1, Store.FORMAT_VERSION),
        StoreOptions.DEFAULTS);
  }

  private static void put(Store store, byte[] key, byte[] value, long ts) {
    try (WriteBatch b = new WriteBatch(); ReadOptions ro = new ReadOptions()) {
      new MvccWriter(store, ro, b).writeNewest(Mutation.put(key, value), ts);
      store.write(b);
    }
  }

  private static void flush(Store store) throws Exception {
    try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
      for (Cf cf : KeySpan.DATA_CFS) {
        store.db().flush(f, store.handle(cf));
      }
    }
  }

  /**
   * 2,000 small keys, then 200 large ones holding most of the bytes: the middle by bytes lies
   * among the large keys (the middle by count would lie among the small), in memtables and in
   * files alike; either half's estimate is about half the whole.
   */
  @Test
  void theMiddleDividesBytesNotKeys() throws Exception {
    try (Store store = store()) {
      for (int i = 0; i < 2000; i++) {
        put(store, key("a", i), value(40), 10);
      }
      for (int i = 0; i < 200; i++) {
        put(store, key("b", i), value(4000), 10);
      }
      put(store, key("c", 0), value(40), 10); // outside the span: ignored
      KeySpan span = new KeySpan(enc("a"), enc("c"));
      // Memtable estimates are a sampled average: coarser than the files' block index.
      checkHalves(store, span, 15, 170);
      flush(store);
      checkHalves(store, span, 40, 130);
    }
  }

  /** @param after, before the bounds (exclusive) of the chosen large key's number */
  private static void checkHalves(Store store, KeySpan span, int after, int before) {
    byte[] middle = SplitKeyFinder.middle(store, span);
    String user = new String(MvccKeys.decodeUserKey(middle), StandardCharsets.UTF_8);
    assertArrayEquals(enc(user), middle, "an escaped user key, no version suffix: " + user);
    assertTrue(user.startsWith("b"), user);
    int i = Integer.parseInt(user.substring(1));
    // About 120 KB of small keys, 800 KB of large ones: half falls near b00085 (by count the
    // middle would be a01100).
    assertTrue(i > after && i < before, user);
    long left = SpanSize.estimate(store, new KeySpan(span.start(), middle)).bytes();
    long right = SpanSize.estimate(store, new KeySpan(middle, span.end())).bytes();
    assertTrue(left > 0.25 * (left + right) && right > 0.25 * (left + right),
        "left " + left + ", right " + right);
  }

  /** The middle of an unbounded span, and one whose bytes are in one key's many versions. */
  @Test
  void neverSplitsBetweenVersionsOfOneKey() throws Exception {
    try (Store store = store()) {
      put(store, key("a", 0), value(100), 10);
      for (long ts = 1; ts <= 200; ts++) {
        put(store, key("b", 0), value(2000), ts);
      }
      put(store, key("c", 0), value(100), 10);
      put(store, key("d", 0), value(100), 10);
      flush(store);
      byte[] middle = SplitKeyFinder.middle(store, new KeySpan(new byte[0], null));
      // b's versions hold the bytes: the split keeps them together on one side.
      assertTrue(Arrays.equals(middle, MvccKeys.encodeUserKey(key("b", 0)))
          || Arrays.equals(middle, MvccKeys.encodeUserKey(key("c", 0))),
          MvccKeys.show(middle));
    }
  }

  @Test
  void refusesASpanWithFewerThanTwoKeys() throws Exception {
    try (Store store = store()) {
      KeySpan span = new KeySpan(enc("a"), enc("z"));
      var none = assertThrows(SplitKeyFinder.TooFewKeys.class,
          () -> SplitKeyFinder.middle(store, span));
      assertTrue(none.getMessage().contains("no user key"), none.getMessage());
      for (long ts = 1; ts <= 50; ts++) {
        put(store, key("m", 0), value(1000), ts);
      }
      put(store, key("z", 1), value(1000), 10); // outside
      var one = assertThrows(SplitKeyFinder.TooFewKeys.class,
          () -> SplitKeyFinder.middle(store, span));
      assertTrue(one.getMessage().contains("one user key"), one.getMessage());
      put(store, key("n", 0), value(10), 10);
      assertArrayEquals(MvccKeys.encodeUserKey(key("n", 0)), SplitKeyFinder.middle(store, span));
    }
  }

  @Test
  void midpointLiesBetween() {
    byte[][] cases = {{1}, {1, 0}, {1, 0, 5}, {1, (byte) 0xFF}, {2}, {2, 0, 0, 1}, {(byte) 0xFF}};
    for (int x = 0; x < cases.length; x++) {
      for (int y = x + 1; y < cases.length; y++) {
        byte[] m = SplitKeyFinder.midpoint(cases[x], cases[y]);
        assertTrue(Arrays.compareUnsigned(m, cases[x]) >= 0
            && Arrays.compareUnsigned(m, cases[y]) < 0, x + " " + y);
      }
    }
    assertEquals(0, Arrays.compareUnsigned(new byte[] {1, (byte) 0x80},
        SplitKeyFinder.midpoint(new byte[] {1}, new byte[] {2})));
  }
}
