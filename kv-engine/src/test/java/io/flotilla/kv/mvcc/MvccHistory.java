package io.flotilla.kv.mvcc;

import static io.flotilla.kv.mvcc.MvccFixture.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A random history of concurrent transactions run against a real store and {@link MvccModel}
 * side by side: every operation's outcome (or refusal) and every read must agree. Few keys, so
 * that transactions collide; values short and long, so that both the inline and the DATA path
 * are taken; some clients "crash" after committing their primary, leaving locks for readers
 * to resolve.
 */
final class MvccHistory {
  static final List<String> KEYS =
      List.of("", "\0", "a", "a\0", "a\0\0", "ab", "b", "b\u00ff", "\u00ff");
  /** A TSO time at which every lock of the history (TTL 3000 ms) has expired. */
  private static final long EXPIRED_TS = 3000L << Timestamps.LOGICAL_BITS;

  final MvccFixture f;
  final MvccModel model = new MvccModel();
  final Random rnd;
  /** The last timestamp handed out; the TSO of this history. */
  long clock;
  private final List<Txn> fresh = new ArrayList<>();
  private final List<Txn> prewritten = new ArrayList<>();
  private int step;

  private record Txn(long startTs, List<Mutation> mutations, List<String> keys) {
    String primary() {
      return keys.getFirst();
    }

    @Override
    public String toString() {
      return "txn " + startTs + " on " + keys.stream().map(MvccHistory::show).toList();
    }
  }

  MvccHistory(MvccFixture f, long seed) {
    this.f = f;
    this.rnd = new Random(seed);
  }

  void run(int steps) {
    for (int i = 0; i < steps; i++) {
      step = i;
      switch (rnd.nextInt(10)) {
        case 0, 1 -> begin();
        case 2, 3 -> prewrite();
        case 4, 5 -> commit();
        case 6 -> rollback();
        case 7 -> resolve();
        default -> checkRandomReads(1);
      }
    }
  }

  /** Compares {@code count} random point reads and scans with the model. */
  void checkRandomReads(int count) {
    for (int i = 0; i < count; i++) {
      long readTs = 1 + rnd.nextLong(clock + 1);
      String key = pick(KEYS);
      assertEquals(model.get(key, readTs), realGet(key, readTs), what("get " + key + "@" + readTs));
      String start = pick(KEYS);
      String end = rnd.nextInt(4) == 0 ? "" : pick(KEYS);
      int limit = 1 + rnd.nextInt(6);
      boolean reverse = rnd.nextBoolean();
      assertEquals(model.scan(start, end, readTs, limit, reverse),
          realScan(start, end, readTs, limit, reverse),
          what("scan [" + start + ", " + end + ")@" + readTs + " limit " + limit
              + (reverse ? " reverse" : "")));
    }
  }

  String realGet(String key, long readTs) {
    try {
      return f.get(key, readTs);
    } catch (MvccException.KeyLocked e) {
      return MvccModel.LOCKED;
    }
  }

  List<String> realScan(String start, String end, long readTs, int limit, boolean reverse) {
    try {
      return f.scan(start, end, readTs, limit, reverse);
    } catch (MvccException.KeyLocked e) {
      return List.of(MvccModel.LOCKED);
    }
  }

  <T> T pick(List<T> items) {
    return items.get(rnd.nextInt(items.size()));
  }

  private void begin() {
    List<String> keys = new ArrayList<>(KEYS);
    Collections.shuffle(keys, rnd);
    keys = List.copyOf(keys.subList(0, 1 + rnd.nextInt(3)));
    long startTs = ++clock;
    List<Mutation> mutations = new ArrayList<>();
    for (String k : keys) {
      int kind = rnd.nextInt(10);
      String value = startTs + ":" + (rnd.nextBoolean() ? "v" : "V".repeat(600));
      mutations.add(kind < 7 ? Mutation.put(b(k), b(value))
          : kind < 9 ? Mutation.delete(b(k)) : Mutation.lock(b(k)));
    }
    fresh.add(new Txn(startTs, mutations, keys));
  }

  private void prewrite() {
    if (fresh.isEmpty()) {
      return;
    }
    Txn t = fresh.remove(rnd.nextInt(fresh.size()));
    boolean ok = expect(model.prewriteRefusal(t.keys(), t.startTs()),
        () -> f.run(w -> w.prewrite(t.mutations(), b(t.primary()), t.startTs(), 3000)),
        () -> model.prewrite(t.mutations(), t.primary(), t.startTs()), "prewrite " + t);
    if (ok) {
      prewritten.add(t);
    } else {
      // A refused client rolls back whatever it may have locked.
      expect(model.rollbackRefusal(t.keys(), t.startTs()), () -> f.rollback(t.startTs(),
          t.keys().toArray(String[]::new)), () -> model.rollback(t.keys(), t.startTs()),
          "rollback after a refused prewrite of " + t);
    }
  }

  private void commit() {
    if (prewritten.isEmpty()) {
      return;
    }
    Txn t = prewritten.remove(rnd.nextInt(prewritten.size()));
    long commitTs = ++clock;
    List<String> primary = List.of(t.primary());
    if (!expect(model.commitRefusal(primary, t.startTs()),
        () -> f.commit(t.startTs(), commitTs, t.primary()),
        () -> model.commit(primary, t.startTs(), commitTs), "commit primary of " + t)) {
      return; // a reader rolled it back; its other locks are left for readers to resolve
    }
    if (rnd.nextInt(10) < 7) {
      List<String> secondaries = t.keys().subList(1, t.keys().size());
      expect(model.commitRefusal(secondaries, t.startTs()),
          () -> f.commit(t.startTs(), commitTs, secondaries.toArray(String[]::new)),
          () -> model.commit(secondaries, t.startTs(), commitTs), "commit secondaries of " + t);
    }
  }

  private void rollback() {
    if (prewritten.isEmpty()) {
      return;
    }
    Txn t = prewritten.remove(rnd.nextInt(prewritten.size()));
    expect(model.rollbackRefusal(t.keys(), t.startTs()),
        () -> f.rollback(t.startTs(), t.keys().toArray(String[]::new)),
        () -> model.rollback(t.keys(), t.startTs()), "rollback " + t);
  }

  /** What a reader does on hitting a lock: ask the primary, then settle the locked key. */
  private void resolve() {
    if (model.locks.isEmpty()) {
      return;
    }
    String key = pick(List.copyOf(model.locks.keySet()));
    MvccModel.ModelLock lock = model.locks.get(key);
    boolean expired = rnd.nextBoolean();
    TxnStatus real = f.write(w -> w.checkTxnStatus(b(lock.primary()), lock.startTs(),
        expired ? EXPIRED_TS : clock));
    TxnStatus expected = model.checkTxnStatus(lock.primary(), lock.startTs(), expired);
    assertEquals(expected.getClass(), real.getClass(), what("status of " + lock));
    switch (real) {
      case TxnStatus.Locked l -> { }
      case TxnStatus.Committed c -> {
        assertEquals(expected, c, what("commit ts of " + lock));
        expect(model.commitRefusal(List.of(key), lock.startTs()),
            () -> f.run(w -> w.resolve(b(key), lock.startTs(), c)),
            () -> model.commit(List.of(key), lock.startTs(), c.commitTs()), "resolve " + key);
      }
      case TxnStatus.RolledBack r -> expect(model.rollbackRefusal(List.of(key), lock.startTs()),
          () -> f.run(w -> w.resolve(b(key), lock.startTs(), r)),
          () -> model.rollback(List.of(key), lock.startTs()), "resolve " + key);
    }
  }

  /** Runs {@code real}; checks it is refused exactly as expected; if not, applies the model. */
  private boolean expect(Class<? extends MvccException> refusal, Runnable real,
      Runnable applyToModel, String what) {
    try {
      real.run();
    } catch (MvccException e) {
      assertEquals(refusal, e.getClass(), what(what + ": " + e.getMessage()));
      return false;
    }
    assertNull(refusal, what(what + " was not refused"));
    applyToModel.run();
    return true;
  }

  /** A key made printable: NUL and 0xFF show as escapes. */
  static String show(String key) {
    return '"' + key.replace("\0", "\\0").replace("\u00ff", "\\xff") + '"';
  }

  private String what(String operation) {
    return "step " + step + ", clock " + clock + ": " + operation;
  }
}
