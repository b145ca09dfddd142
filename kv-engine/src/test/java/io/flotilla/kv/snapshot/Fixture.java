package io.flotilla.kv.snapshot;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assertions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/** Stores with MVCC-shaped data, and ways to compare their contents, for the snapshot tests. */
final class Fixture {
  static final long CLUSTER = 0xf1075L;
  /** User keys k00100 .. k00199: all their versions lie in this span. */
  static final KeySpan SPAN = new KeySpan(userKey(100), userKey(200));

  private Fixture() {}

  static Store create(Path dir, long storeId) {
    return Store.create(dir, new StoreIdentity(CLUSTER, storeId, Store.FORMAT_VERSION),
        StoreOptions.DEFAULTS);
  }

  static Store reopen(Path dir) {
    return Store.open(dir, StoreOptions.DEFAULTS);
  }

  static byte[] userKey(int i) {
    return String.format("k%05d", i).getBytes(StandardCharsets.US_ASCII);
  }

  /** A stored MVCC key: the user key, then the inverted timestamp so newer sorts first. */
  static byte[] versioned(int i, long ts) {
    byte[] u = userKey(i);
    byte[] k = Arrays.copyOf(u, u.length + 8);
    long inv = ~ts;
    for (int b = 0; b < 8; b++) {
      k[u.length + b] = (byte) (inv >>> (56 - 8 * b));
    }
    return k;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * User keys {@code from, from+step, ...} below {@code to}, each with {@code versions} data and
   * write records starting at timestamp {@code ts0}, and a lock on every fifth key; values are
   * tagged so that stores filled differently never agree by accident. Raft families get a few
   * records with the same key shapes, which no snapshot may touch.
   */
  static void fill(Store store, String tag, int from, int to, int step, int versions, long ts0) {
    try (WriteBatch b = new WriteBatch()) {
      for (int i = from; i < to; i += step) {
        for (int v = 0; v < versions; v++) {
          long ts = ts0 + 10L * v;
          b.put(store.handle(Cf.DATA), versioned(i, ts), bytes(tag + "-data-" + i + "@" + ts));
          b.put(store.handle(Cf.WRITE), versioned(i, ts + 1), bytes(tag + "-write@" + ts));
        }
        if (i % 5 == 0) {
          b.put(store.handle(Cf.LOCK), userKey(i), bytes(tag + "-lock-" + i));
        }
        if (i % 50 == 0) {
          b.put(store.handle(Cf.RAFT_LOG), userKey(i), bytes(tag + "-raft-entry"));
          b.put(store.handle(Cf.RAFT_STATE), userKey(i), bytes(tag + "-raft-state"));
        }
      }
      store.write(b);
    } catch (RocksDBException e) {
      throw new AssertionError(e);
    }
  }

  /** Every record of {@code cfs} whose key passes {@code filter}, one readable line each. */
  static List<String> dump(Store store, List<Cf> cfs, Predicate<byte[]> filter) {
    List<String> out = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    for (Cf cf : cfs) {
      try (ReadOptions ro = new ReadOptions(); RocksIterator it = store.newIterator(cf, ro)) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          if (filter.test(it.key())) {
            out.add(cf.rocksName() + " " + hex.formatHex(it.key()) + " = "
                + new String(it.value(), StandardCharsets.UTF_8));
          }
        }
      }
    }
    return out;
  }

  static List<String> inside(Store store, KeySpan span) {
    return dump(store, KeySpan.DATA_CFS, span::contains);
  }

  static List<String> outside(Store store, KeySpan span) {
    return dump(store, KeySpan.DATA_CFS, k -> !span.contains(k));
  }

  static List<String> raft(Store store) {
    return dump(store, List.of(Cf.RAFT_LOG, Cf.RAFT_STATE), k -> true);
  }

  static List<String> everything(Store store) {
    return dump(store, List.of(Cf.values()), k -> true);
  }

  /** Like assertEquals on dumps, but names the first differing record instead of all of them. */
  static void assertRecords(List<String> expected, List<String> actual, String what) {
    if (expected.equals(actual)) {
      return;
    }
    int i = 0;
    while (i < expected.size() && i < actual.size() && expected.get(i).equals(actual.get(i))) {
      i++;
    }
    Assertions.fail(what + ": expected " + expected.size() + " records, found " + actual.size()
        + "; first difference at #" + i + ": expected "
        + (i < expected.size() ? expected.get(i) : "nothing") + ", found "
        + (i < actual.size() ? actual.get(i) : "nothing"));
  }

  /** Record count and SHA-256 of a span's keys and values, for spans too big to dump. */
  static String digest(Store store, KeySpan span) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      long count = 0;
      for (Cf cf : KeySpan.DATA_CFS) {
        try (ReadOptions ro = new ReadOptions(); RocksIterator it = store.newIterator(cf, ro)) {
          for (it.seek(span.start()); it.isValid() && span.contains(it.key()); it.next()) {
            sha.update((byte) cf.ordinal());
            sha.update(it.key());
            sha.update(it.value());
            count++;
          }
        }
      }
      return count + " records, sha256 " + HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Sends every chunk, then the manifest. */
  static void transfer(ExportedSnapshot out, IncomingSnapshot in) {
    sendChunks(out, in);
    in.complete(out.manifest());
  }

  static int sendChunks(ExportedSnapshot out, IncomingSnapshot in) {
    int n = 0;
    for (Iterator<SnapshotChunk> it = out.chunks(); it.hasNext(); n++) {
      in.accept(it.next());
    }
    return n;
  }

  static List<SnapshotChunk> chunks(ExportedSnapshot out) {
    List<SnapshotChunk> all = new ArrayList<>();
    out.chunks().forEachRemaining(all::add);
    return all;
  }
}
