package io.flotilla.bench;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.kv.mvcc.KvPair;
import io.flotilla.kv.mvcc.Mutation;
import io.flotilla.kv.mvcc.MvccReader;
import io.flotilla.kv.mvcc.MvccWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rocksdb.ReadOptions;
import org.rocksdb.WriteBatch;

/**
 * MVCC reads at a timestamp ({@link MvccReader}) on a store preloaded through the Percolator
 * write path ({@link MvccWriter#prewrite} + {@link MvccWriter#commit}) with {@value #KEYS} user
 * keys of {@value #VERSIONS} committed versions each, then flushed and compacted down to the
 * bottommost level, which also drops the LOCK family's tombstones (one per committed key): a
 * warm, settled, read-only store. With 100-byte values the data (about 40 MB) fits RocksDB's
 * 128 MB block cache; with 1,000-byte values (about 300 MB) reads also go to the OS page cache.
 *
 * <p>Reads are at a timestamp between the newest and the second-newest commit, so every read
 * skips one newer version to find the one it sees. {@code valueBytes} 100 keeps the value
 * inline in the write record (Percolator's short value); 1,000 stores it in the DATA family, so
 * each read makes a second lookup.
 * <ul>
 *   <li>{@link #pointGet}: one {@code get} of a random key; score = gets/s.
 *   <li>{@link #scan100}: one forward {@code scan} of {@value #SCAN_ROWS} rows from a random
 *       key; score = scans/s (rows/s = {@value #SCAN_ROWS} x that).
 * </ul>
 * One thread, one {@link ReadOptions} view without a RocksDB snapshot (the store is not written
 * during measurement), a new reader per operation as a request would make.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar
 * MvccBenchmark -f 1 -wi 3 -w 2s -i 5 -r 3s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
public class MvccBenchmark {
  static final int KEYS = 100_000;
  static final int VERSIONS = 3;
  static final int SCAN_ROWS = 100;
  private static final int KEYS_PER_TXN = 1000;
  /** TSO-shaped timestamps: physical milliseconds above 18 logical bits. */
  private static final long TS0 = 1_700_000_000_000L << 18;

  /** Bytes of each value. */
  @Param({"100", "1000"})
  public int valueBytes;

  private Path dir;
  private Store store;
  private ReadOptions view;
  private long readTs;
  private final SplittableRandom random = new SplittableRandom(11);

  @Setup(Level.Trial)
  public void preload() {
    dir = BenchDirs.create("mvcc-bench-");
    store = Store.create(dir, new StoreIdentity(1, 1, Store.FORMAT_VERSION),
        StoreOptions.DEFAULTS);
    view = new ReadOptions();
    long t0 = System.nanoTime();
    SplittableRandom values = new SplittableRandom(3);
    for (int v = 0; v < VERSIONS; v++) {
      long startTs = TS0 + 100L * v;
      long commitTs = startTs + 10;
      for (int lo = 0; lo < KEYS; lo += KEYS_PER_TXN) {
        List<Mutation> mutations = new ArrayList<>(KEYS_PER_TXN);
        List<byte[]> keys = new ArrayList<>(KEYS_PER_TXN);
        for (int i = lo; i < Math.min(KEYS, lo + KEYS_PER_TXN); i++) {
          byte[] value = new byte[valueBytes];
          values.nextBytes(value);
          value[0] = (byte) v; // the version, checked below
          mutations.add(Mutation.put(key(i), value));
          keys.add(key(i));
        }
        apply(w -> w.prewrite(mutations, keys.get(0), startTs, 10_000));
        apply(w -> w.commit(keys, startTs, commitTs));
      }
    }
    // Between the commits of the last two versions: each read skips the newest one.
    readTs = TS0 + 100L * (VERSIONS - 1) - 1;
    // Settled: flushed and fully compacted, so the LOCK family's tombstones (one per committed
    // key) are gone; see BenchStores.settle.
    BenchStores.settle(store, List.of(Cf.DATA, Cf.LOCK, Cf.WRITE));
    check();
    System.out.printf("[flotilla] preloaded %d keys x %d versions of %d bytes in %.1f s;"
        + " store dir %d MB%n", KEYS, VERSIONS, valueBytes, (System.nanoTime() - t0) / 1e9,
        BenchDirs.size(dir) >> 20);
  }

  private interface Op {
    void run(MvccWriter w);
  }

  /** One MVCC operation through its own view and batch, applied as a raft command would be. */
  private void apply(Op op) {
    try (ReadOptions ro = new ReadOptions(); WriteBatch wb = new WriteBatch()) {
      op.run(new MvccWriter(store, ro, wb));
      store.write(wb);
    }
  }

  private void check() {
    MvccReader r = new MvccReader(store, view);
    byte[] v = r.get(key(KEYS / 2), readTs);
    if (v == null || v.length != valueBytes || v[0] != VERSIONS - 2) {
      throw new IllegalStateException("preloaded store reads wrong: "
          + (v == null ? "null" : v.length + " bytes of version " + v[0]));
    }
    List<KvPair> rows = r.scan(key(KEYS - SCAN_ROWS), new byte[0], readTs, SCAN_ROWS, false);
    if (rows.size() != SCAN_ROWS || !Arrays.equals(rows.get(0).key(), key(KEYS - SCAN_ROWS))) {
      throw new IllegalStateException("preloaded store scans wrong: " + rows.size() + " rows");
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    view.close();
    store.close();
    BenchDirs.delete(dir);
  }

  /** User keys {@code user00000000} .. {@code user00099999}, built once. */
  private static final byte[][] USER_KEYS = new byte[KEYS][];

  static {
    for (int i = 0; i < KEYS; i++) {
      USER_KEYS[i] = String.format("user%08d", i).getBytes(StandardCharsets.US_ASCII);
    }
  }

  static byte[] key(int i) {
    return USER_KEYS[i];
  }

  @Benchmark
  public byte[] pointGet() {
    return new MvccReader(store, view).get(key(random.nextInt(KEYS)), readTs);
  }

  @Benchmark
  public List<KvPair> scan100() {
    byte[] start = key(random.nextInt(KEYS - SCAN_ROWS + 1));
    return new MvccReader(store, view).scan(start, new byte[0], readTs, SCAN_ROWS, false);
  }
}
