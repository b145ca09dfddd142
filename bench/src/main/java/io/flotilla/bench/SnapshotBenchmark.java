package io.flotilla.bench;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.kv.snapshot.ExportedSnapshot;
import io.flotilla.kv.snapshot.IncomingSnapshot;
import io.flotilla.kv.snapshot.KeySpan;
import io.flotilla.kv.snapshot.RangeSnapshotExporter;
import io.flotilla.kv.snapshot.RangeSnapshotReceiver;
import io.flotilla.kv.snapshot.SnapshotChunk;
import io.flotilla.kv.snapshot.SnapshotManifest;
import io.flotilla.kv.snapshot.SnapshotOptions;
import io.flotilla.kv.snapshot.SnapshotProgress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Range snapshot throughput on a real disk, in MB/s of snapshot files (SST bytes, 10^6 bytes per
 * MB) for a span of about {@code spanMegabytes}.
 *
 * <p>The source store holds, inside the span, MVCC-shaped records: per key a 1,000-byte random
 * (incompressible) value in DATA and a small write record in WRITE, under keys of a user key and
 * an inverted timestamp; a lock on every 16th key in LOCK. Both stores also hold keys before and
 * after the span, which the snapshot must not touch.
 * <ul>
 *   <li>{@link #export}: {@link RangeSnapshotExporter#export} (SST files written from one RocksDB
 *       snapshot) and every chunk read back as a sender streams it (CRC32C per chunk), then
 *       the files deleted.
 *   <li>{@link #ingest}: the whole receive path of a span exported once per trial and held in
 *       memory: {@code begin}, {@code accept} every chunk (CRC check, staged on disk), {@code
 *       complete} (verify sizes, checksums and keys against the manifest, fsync, commit marker,
 *       range-delete the old span, flush, ingest the files by copy).
 * </ul>
 * The primary score is snapshots per second; the secondary metric {@code megabytes} is MB/s.
 * The source store is flushed and compacted before measuring, and the receiver's replaced files
 * are compacted away after each iteration, so the disk use stays bounded.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar
 * SnapshotBenchmark -f 1 -wi 3 -w 2s -i 5 -r 3s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
public class SnapshotBenchmark {
  static final int VALUE_BYTES = 1000;
  private static final long INGEST_ID = 0x1;

  /** Approximate size of the span's data, keys and values. */
  @Param({"64"})
  public int spanMegabytes;

  private Path dir;
  private Store source;
  private Store target;
  private KeySpan span;
  private RangeSnapshotReceiver receiver;
  private List<SnapshotChunk> chunks;
  private SnapshotManifest manifest;
  private long nextExportId = 0x100;

  @Setup(Level.Trial)
  public void fill() {
    dir = BenchDirs.create("snapshot-bench-");
    source = Store.create(dir.resolve("source"), new StoreIdentity(1, 1, Store.FORMAT_VERSION),
        StoreOptions.DEFAULTS);
    target = Store.create(dir.resolve("target"), new StoreIdentity(1, 2, Store.FORMAT_VERSION),
        StoreOptions.DEFAULTS);
    int keys = (int) ((long) spanMegabytes * 1_000_000 / (VALUE_BYTES + 48));
    span = new KeySpan(userKey('r', 0), userKey('r', keys));
    SplittableRandom random = new SplittableRandom(7);
    // Outside the span, in both stores: must survive every ingest untouched.
    for (Store s : List.of(source, target)) {
      write(s, 'a', 0, 1000, random);
      write(s, 'z', 0, 1000, random);
    }
    write(source, 'r', 0, keys, random);
    BenchStores.settle(source, KeySpan.DATA_CFS);

    // The span exported once, held in memory as a sender would stream it.
    chunks = new ArrayList<>();
    try (ExportedSnapshot out = RangeSnapshotExporter.export(source, INGEST_ID, span,
        new byte[0], SnapshotOptions.DEFAULTS, SnapshotProgress.NONE)) {
      for (Iterator<SnapshotChunk> it = out.chunks(); it.hasNext(); ) {
        chunks.add(it.next());
      }
      manifest = out.manifest();
    }
    System.out.printf("[flotilla] span of %d keys: %d files, %.1f MB of SSTs in %d chunks%n",
        keys, manifest.files().size(), manifest.totalBytes() / 1e6, chunks.size());
    receiver = new RangeSnapshotReceiver(target);
  }

  @TearDown(Level.Iteration)
  public void dropReplacedFiles() {
    BenchStores.settle(target, KeySpan.DATA_CFS);
  }

  @TearDown(Level.Trial)
  public void close() {
    source.close();
    target.close();
    BenchDirs.delete(dir);
  }

  /** MB of snapshot files moved per second. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Rates {
    public double megabytes;

    @Setup(Level.Iteration)
    public void reset() {
      megabytes = 0;
    }
  }

  @Benchmark
  public long export(Rates r) {
    long bytes = 0;
    try (ExportedSnapshot out = RangeSnapshotExporter.export(source, nextExportId++, span,
        new byte[0], SnapshotOptions.DEFAULTS, SnapshotProgress.NONE)) {
      for (Iterator<SnapshotChunk> it = out.chunks(); it.hasNext(); ) {
        bytes += it.next().data().length;
      }
    }
    r.megabytes += bytes / 1e6;
    return bytes;
  }

  @Benchmark
  public void ingest(Rates r) {
    try (IncomingSnapshot in = receiver.begin(INGEST_ID)) {
      for (SnapshotChunk c : chunks) {
        in.accept(c);
      }
      in.complete(manifest);
    }
    r.megabytes += manifest.totalBytes() / 1e6;
  }

  /** An MVCC-shaped stored key: prefix, 8-byte user key, inverted timestamp. */
  static byte[] userKey(char prefix, long i) {
    byte[] k = new byte[9];
    k[0] = (byte) prefix;
    for (int b = 0; b < 8; b++) {
      k[1 + b] = (byte) (i >>> (56 - 8 * b));
    }
    return k;
  }

  private static byte[] versioned(char prefix, long i, long ts) {
    byte[] u = userKey(prefix, i);
    byte[] k = Arrays.copyOf(u, u.length + 8);
    long inv = ~ts;
    for (int b = 0; b < 8; b++) {
      k[u.length + b] = (byte) (inv >>> (56 - 8 * b));
    }
    return k;
  }

  private static void write(Store s, char prefix, int from, int to, SplittableRandom random) {
    final int perBatch = 1000;
    for (int lo = from; lo < to; lo += perBatch) {
      try (WriteBatch b = new WriteBatch()) {
        for (int i = lo; i < Math.min(to, lo + perBatch); i++) {
          byte[] value = new byte[VALUE_BYTES];
          random.nextBytes(value);
          long ts = 1000 + i;
          b.put(s.handle(Cf.DATA), versioned(prefix, i, ts), value);
          b.put(s.handle(Cf.WRITE), versioned(prefix, i, ts + 1), new byte[16]);
          if (i % 16 == 0) {
            b.put(s.handle(Cf.LOCK), userKey(prefix, i), new byte[24]);
          }
        }
        s.write(b);
      } catch (RocksDBException e) {
        throw s.failure("filling the benchmark store", e);
      }
    }
  }
}
