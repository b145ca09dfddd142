package io.flotilla.kv.mvcc;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;

/**
 * A real store in a temporary directory, driven the way the multiraft layer will drive it: each
 * operation reads through a fresh RocksDB snapshot, fills a batch, and the batch is applied.
 * Keys and values are ISO-8859-1 strings, so that string order is unsigned byte order.
 */
final class MvccFixture implements AutoCloseable {
  final Store store;
  private final Path dir;
  private final boolean ownsDir;

  MvccFixture(Path dir, StoreOptions options, boolean ownsDir) {
    this.dir = dir;
    this.ownsDir = ownsDir;
    this.store = Store.create(dir.resolve("store"), new StoreIdentity(7, 1, Store.FORMAT_VERSION),
        options);
  }

  /** A store in {@code dir}, which the caller cleans up (a JUnit {@code @TempDir}). */
  static MvccFixture in(Path dir) {
    return new MvccFixture(dir, StoreOptions.DEFAULTS, false);
  }

  /** A store in a new temporary directory, deleted on close (for jqwik properties). */
  static MvccFixture temporary() {
    try {
      return new MvccFixture(Files.createTempDirectory("flotilla-mvcc"), StoreOptions.DEFAULTS,
          true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static String s(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
  }

  /** Runs a write operation on a fresh snapshot and applies its batch; returns its result. */
  <T> T write(Function<MvccWriter, T> op) {
    return inBatch(ro -> batch -> op.apply(new MvccWriter(store, ro, batch)));
  }

  void run(Consumer<MvccWriter> op) {
    write(w -> {
      op.accept(w);
      return null;
    });
  }

  GcResult gc(byte[] start, byte[] end, long safePoint, int maxKeys) {
    return inBatch(ro -> batch -> new MvccGc(store, ro, batch).gc(start, end, safePoint, maxKeys));
  }

  <T> T read(Function<MvccReader, T> op) {
    return inSnapshot(ro -> op.apply(new MvccReader(store, ro)));
  }

  String get(String key, long readTs) {
    return s(read(r -> r.get(b(key), readTs)));
  }

  /** Scan results as "key=value" strings. */
  List<String> scan(String start, String end, long readTs, int limit, boolean reverse) {
    return read(r -> r.scan(b(start), b(end), readTs, limit, reverse)).stream()
        .map(p -> s(p.key()) + "=" + s(p.value())).toList();
  }

  void prewrite(long startTs, String primary, Mutation... mutations) {
    run(w -> w.prewrite(List.of(mutations), b(primary), startTs, 3000));
  }

  void commit(long startTs, long commitTs, String... keys) {
    run(w -> w.commit(Stream.of(keys).map(MvccFixture::b).toList(), startTs, commitTs));
  }

  void rollback(long startTs, String... keys) {
    run(w -> w.rollback(Stream.of(keys).map(MvccFixture::b).toList(), startTs));
  }

  /** A one-key transaction: prewrite and commit. */
  void put(String key, String value, long startTs, long commitTs) {
    prewrite(startTs, key, Mutation.put(b(key), b(value)));
    commit(startTs, commitTs, key);
  }

  /** Every raw key and value of a column family, as "hex(key)=hex(value)". */
  List<String> dump(Cf cf) {
    return inSnapshot(ro -> {
      List<String> out = new ArrayList<>();
      try (RocksIterator it = store.newIterator(cf, ro)) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          out.add(MvccKeys.show(it.key()) + "=" + MvccKeys.show(it.value()));
        }
      }
      return out;
    });
  }

  private <T> T inBatch(Function<ReadOptions, Function<WriteBatch, T>> op) {
    return inSnapshot(ro -> {
      try (WriteBatch batch = new WriteBatch()) {
        T result = op.apply(ro).apply(batch);
        store.write(batch);
        return result;
      }
    });
  }

  private <T> T inSnapshot(Function<ReadOptions, T> op) {
    Snapshot snapshot = store.db().getSnapshot();
    try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
      return op.apply(ro);
    } finally {
      store.db().releaseSnapshot(snapshot);
    }
  }

  @Override
  public void close() {
    store.close();
    if (ownsDir) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
