package io.flotilla.kv.mvcc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The naive oracle of Percolator MVCC: maps in memory, the rules written as directly as the
 * brief states them. Keys and values are ISO-8859-1 strings, so string order is byte order.
 * Expected refusals are returned as exception classes.
 */
final class MvccModel {
  /** What a read returns when a lock stops it. */
  static final String LOCKED = "<locked>";

  record Version(long startTs, Write.Kind kind, String value) {}

  record ModelLock(long startTs, Mutation.Kind kind, String primary, String value) {}

  /** key -> commit ts (rollbacks: start ts) -> version. */
  final TreeMap<String, TreeMap<Long, Version>> writes = new TreeMap<>();
  final TreeMap<String, ModelLock> locks = new TreeMap<>();

  /** The refusal a prewrite of {@code keys} (in order) at {@code startTs} gets, or null. */
  Class<? extends MvccException> prewriteRefusal(List<String> keys, long startTs) {
    for (String k : keys) {
      ModelLock lock = locks.get(k);
      if (lock != null && lock.startTs() != startTs) {
        return MvccException.KeyLocked.class;
      }
      Map.Entry<Long, Version> own = outcome(k, startTs);
      if (own != null && own.getValue().kind() == Write.Kind.ROLLBACK) {
        return MvccException.TxnAborted.class;
      }
      boolean newerCommit = versions(k).headMap(startTs, false).values().stream()
          .anyMatch(v -> v.kind() != Write.Kind.ROLLBACK);
      if (lock == null && own == null && newerCommit) {
        return MvccException.WriteConflict.class;
      }
    }
    return null;
  }

  void prewrite(List<Mutation> mutations, String primary, long startTs) {
    for (Mutation m : mutations) {
      String k = MvccFixture.s(m.key());
      if (!locks.containsKey(k) && outcome(k, startTs) == null) {
        locks.put(k, new ModelLock(startTs, m.kind(), primary, MvccFixture.s(m.value())));
      }
    }
  }

  Class<? extends MvccException> commitRefusal(List<String> keys, long startTs) {
    for (String k : keys) {
      ModelLock lock = locks.get(k);
      if (lock != null && lock.startTs() == startTs) {
        continue;
      }
      Map.Entry<Long, Version> own = outcome(k, startTs);
      if (own == null) {
        return MvccException.TxnNotFound.class;
      }
      if (own.getValue().kind() == Write.Kind.ROLLBACK) {
        return MvccException.TxnAborted.class;
      }
    }
    return null;
  }

  void commit(List<String> keys, long startTs, long commitTs) {
    for (String k : keys) {
      ModelLock lock = locks.get(k);
      if (lock != null && lock.startTs() == startTs) {
        locks.remove(k);
        versions(k).put(commitTs, new Version(startTs, Write.Kind.of(lock.kind()), lock.value()));
      }
    }
  }

  Class<? extends MvccException> rollbackRefusal(List<String> keys, long startTs) {
    for (String k : keys) {
      Map.Entry<Long, Version> own = outcome(k, startTs);
      if (own != null && own.getValue().kind() != Write.Kind.ROLLBACK) {
        return MvccException.TxnCommitted.class;
      }
    }
    return null;
  }

  void rollback(List<String> keys, long startTs) {
    for (String k : keys) {
      ModelLock lock = locks.get(k);
      if (lock != null && lock.startTs() == startTs) {
        locks.remove(k);
      }
      versions(k).put(startTs, new Version(startTs, Write.Kind.ROLLBACK, null));
    }
  }

  /** The status of a transaction by its primary; rolls back as the real one does. */
  TxnStatus checkTxnStatus(String primary, long startTs, boolean expired) {
    ModelLock lock = locks.get(primary);
    if (lock != null && lock.startTs() == startTs && !expired) {
      return new TxnStatus.Locked(null); // compared by kind only
    }
    Map.Entry<Long, Version> own = outcome(primary, startTs);
    if (own != null && own.getValue().kind() != Write.Kind.ROLLBACK) {
      return new TxnStatus.Committed(own.getKey());
    }
    rollback(List.of(primary), startTs);
    return new TxnStatus.RolledBack();
  }

  /** The value at {@code readTs}, null for none, or {@link #LOCKED}. */
  String get(String key, long readTs) {
    ModelLock lock = locks.get(key);
    if (lock != null && lock.kind() != Mutation.Kind.LOCK && lock.startTs() <= readTs) {
      return LOCKED;
    }
    for (Version v : versions(key).tailMap(readTs, true).values()) {
      if (v.kind() == Write.Kind.PUT) {
        return v.value();
      }
      if (v.kind() == Write.Kind.DELETE) {
        return null;
      }
    }
    return null;
  }

  /** "key=value" pairs, or a one-element list holding {@link #LOCKED}. */
  List<String> scan(String start, String end, long readTs, int limit, boolean reverse) {
    NavigableSet<String> keys = new TreeSet<>(locks.keySet());
    keys.addAll(writes.keySet());
    if (!end.isEmpty() && start.compareTo(end) >= 0) {
      return List.of(); // an empty range
    }
    keys = end.isEmpty() ? keys.tailSet(start, true) : keys.subSet(start, true, end, false);
    List<String> out = new ArrayList<>();
    for (String k : reverse ? keys.descendingSet() : keys) {
      if (out.size() == limit) {
        break;
      }
      String v = get(k, readTs);
      if (LOCKED.equals(v)) {
        return List.of(LOCKED);
      }
      if (v != null) {
        out.add(k + "=" + v);
      }
    }
    return out;
  }

  /** Versions newest first. */
  private TreeMap<Long, Version> versions(String key) {
    return writes.computeIfAbsent(key, k -> new TreeMap<>(Comparator.reverseOrder()));
  }

  /** The record transaction {@code startTs} left on {@code key}: commit ts and version. */
  private Map.Entry<Long, Version> outcome(String key, long startTs) {
    for (Map.Entry<Long, Version> e : versions(key).entrySet()) {
      if (e.getValue().startTs() == startTs) {
        return e;
      }
    }
    return null;
  }
}
