package io.flotilla.kv;

import com.github.benmanes.caffeine.cache.Cache;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;

/**
 * One group's durable log as the engine sees it: the bounds, the hard state, and reads that go
 * to the shared entry cache first and to RocksDB only on a miss.
 *
 * <p>The bounds and hard state change only when a batch that touches this group has been made
 * durable ({@link RaftLogStore#commit}), so readers never see entries a crash could take back.
 */
public final class GroupLog {
  private final long groupId;
  private final Store store;
  private final Cache<EntryKey, LogEntry> cache;
  private volatile TruncatedState truncated;
  private volatile long lastIndex;
  private volatile RaftHardState hardState;

  /** Key of a cached entry. */
  record EntryKey(long groupId, long index) {
    @Override
    public int hashCode() {
      // The record default (31 * group + index) collides across groups at scale; mix instead.
      long h = (groupId * 0x9E3779B97F4A7C15L) ^ index;
      return (int) (h ^ (h >>> 32));
    }
  }

  GroupLog(long groupId, Store store, Cache<EntryKey, LogEntry> cache, TruncatedState truncated,
      long lastIndex, RaftHardState hardState) {
    this.groupId = groupId;
    this.store = store;
    this.cache = cache;
    this.truncated = truncated;
    this.lastIndex = lastIndex;
    this.hardState = hardState;
  }

  public long groupId() {
    return groupId;
  }

  /** The first index still in the log (the truncated index + 1). */
  public long firstIndex() {
    return truncated.index() + 1;
  }

  /** The last index; {@code firstIndex() - 1} when the log is empty. */
  public long lastIndex() {
    return lastIndex;
  }

  public RaftHardState hardState() {
    return hardState;
  }

  public TruncatedState truncatedState() {
    return truncated;
  }

  /**
   * The term at {@code index}, which may be the truncated index.
   *
   * @throws LogCompactedException below the truncated index
   * @throws IllegalArgumentException beyond the last index
   */
  public long term(long index) {
    TruncatedState t = truncated;
    if (index == t.index()) {
      return t.term();
    }
    if (index < t.index()) {
      throw new LogCompactedException(groupId, index, t.index() + 1);
    }
    return entries(index, index + 1, Long.MAX_VALUE).get(0).term();
  }

  /**
   * Entries in [lo, hi), at most {@code maxBytes} of them but at least one.
   *
   * @throws LogCompactedException if {@code lo} is compacted
   * @throws IllegalArgumentException if {@code hi > lastIndex() + 1}
   */
  public List<LogEntry> entries(long lo, long hi, long maxBytes) {
    if (lo <= truncated.index()) {
      throw new LogCompactedException(groupId, lo, truncated.index() + 1);
    }
    if (hi > lastIndex + 1 || lo > hi) {
      throw new IllegalArgumentException("group " + groupId + ": entries [" + lo + ", " + hi
          + ") out of bounds; last index is " + lastIndex);
    }
    List<LogEntry> out = new ArrayList<>((int) Math.min(hi - lo, 1024));
    long size = 0;
    for (long i = lo; i < hi; i++) {
      LogEntry e = cache.getIfPresent(new EntryKey(groupId, i));
      if (e == null) {
        readFromDisk(i, hi, maxBytes - size, out);
        return out;
      }
      size += e.sizeBytes();
      if (!out.isEmpty() && size > maxBytes) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  private void readFromDisk(long from, long hi, long budget, List<LogEntry> out) {
    long size = 0;
    try (ReadOptions ro = new ReadOptions();
        RocksIterator it = store.newIterator(Cf.RAFT_LOG, ro)) {
      it.seek(RaftKeys.entry(groupId, from));
      for (long i = from; i < hi; i++, it.next()) {
        if (!it.isValid() || RaftKeys.groupOf(it.key()) != groupId
            || RaftKeys.indexOf(it.key()) != i) {
          // An iterator that stopped on an error (e.g. a checksum mismatch naming the SST
          // file) must report that, not look like a hole in the log.
          checkIterator(it);
          throw new StoreException(store.dir(), "group " + groupId + ": log entry " + i
              + " is missing on disk although the log ends at " + lastIndex);
        }
        LogEntry e = LogEntry.decode(i, it.value());
        size += e.sizeBytes();
        if (!out.isEmpty() && size > budget) {
          break;
        }
        out.add(e);
        cache.put(new EntryKey(groupId, i), e);
      }
      checkIterator(it);
    }
  }

  private void checkIterator(RocksIterator it) {
    try {
      it.status();
    } catch (org.rocksdb.RocksDBException e) {
      throw store.failure("reading the raft log of group " + groupId, e);
    }
  }

  /** Called by the committer once a batch touching this group is durable. */
  void applyDurable(WalBatch.GroupUpdate u) {
    if (u.snapshot != null) {
      truncated = u.snapshot;
      lastIndex = u.snapshot.index();
    }
    if (!u.entries.isEmpty()) {
      for (LogEntry e : u.entries) {
        cache.put(new EntryKey(groupId, e.index()), e);
      }
      lastIndex = u.entries.get(u.entries.size() - 1).index();
    }
    if (u.hardState != null) {
      hardState = u.hardState;
    }
  }

  void applyCompaction(TruncatedState t) {
    truncated = t;
  }
}
