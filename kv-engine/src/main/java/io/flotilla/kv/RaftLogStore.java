package io.flotilla.kv;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The raft logs of every group on the node, in one RocksDB column family, written through one
 * synced write per batch.
 *
 * <p><b>Group commit.</b> {@link #commit} may be called from several threads at once. Callers
 * queue up; the one at the head of the queue becomes the leader, takes every batch queued so far,
 * writes them all as one RocksDB write with one fsync, and wakes the others, whose batches are
 * then durable too. So N concurrent committers cost one fsync, not N.
 *
 * <p>A write whose batches hold only commit-index moves ({@link WalBatch#syncRequired()} false
 * for all) skips the fsync: it still lands in RocksDB's WAL in order, before anything applied
 * after it.
 *
 * <p><b>Ordering duty.</b> {@code commit} returns only once the batch is durable. The store
 * runtime sends a group's messages that depend on the batch (votes, append acknowledgements)
 * only after {@code commit} returned, and a log entry is never written with an fsync of its own.
 *
 * <p><b>Failure.</b> If a write fails (e.g. the disk is full), the committer fails every batch
 * of that write and every later one with the same error, naming the store: whether the failed
 * write reached the disk is unknown, so carrying on could acknowledge state that is not there.
 * The node must be restarted (after freeing space) to recover from what is on disk.
 *
 * <p>A group's batches must be committed one after the other (the runtime's cycle does that);
 * batches of different groups may be committed concurrently.
 */
public final class RaftLogStore {
  private final Store store;
  private final Cache<GroupLog.EntryKey, LogEntry> cache;
  private final ConcurrentHashMap<Long, GroupLog> groups = new ConcurrentHashMap<>();

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private StoreException failed;
  private long syncs;
  private long batches;
  private long groupWrites;
  private long entries;
  private long bytes;

  /** A committer waiting in line. */
  private final class Pending {
    final WalBatch batch;
    final Condition turn = lock.newCondition();
    boolean done;
    RuntimeException error;

    Pending(WalBatch batch) {
      this.batch = batch;
    }
  }

  public RaftLogStore(Store store) {
    this.store = store;
    this.cache = Caffeine.newBuilder()
        .maximumWeight(store.options().entryCacheBytes())
        .weigher((GroupLog.EntryKey k, LogEntry e) -> e.sizeBytes())
        .executor(Runnable::run)
        .build();
  }

  public Store store() {
    return store;
  }

  /** The log of {@code groupId}, loaded from disk on first use (empty if never written). */
  public GroupLog group(long groupId) {
    if (groupId == 0) {
      throw new IllegalArgumentException("group id 0 is reserved");
    }
    return groups.computeIfAbsent(groupId, this::load);
  }

  private GroupLog load(long groupId) {
    byte[] t = store.get(Cf.RAFT_STATE, RaftKeys.state(groupId, RaftKeys.TRUNCATED));
    TruncatedState truncated = t == null ? TruncatedState.EMPTY : TruncatedState.decode(t);
    byte[] h = store.get(Cf.RAFT_STATE, RaftKeys.state(groupId, RaftKeys.HARD_STATE));
    RaftHardState hs = h == null ? RaftHardState.EMPTY : RaftHardState.decode(h);
    long last = truncated.index();
    try (ReadOptions ro = new ReadOptions();
        RocksIterator it = store.newIterator(Cf.RAFT_LOG, ro)) {
      it.seekForPrev(RaftKeys.entry(groupId, Long.MAX_VALUE));
      if (it.isValid() && RaftKeys.groupOf(it.key()) == groupId) {
        last = Math.max(last, RaftKeys.indexOf(it.key()));
      }
      it.status();
    } catch (RocksDBException e) {
      throw store.failure("loading the raft log of group " + groupId, e);
    }
    return new GroupLog(groupId, store, cache, truncated, last, hs);
  }

  /**
   * Makes {@code batch} durable, sharing one fsync with every batch committed concurrently.
   * Returns once it is on disk.
   *
   * @throws IllegalArgumentException if the batch would leave a gap in a group's log, or holds
   *     an entry larger than the store's {@code maxValueBytes}
   * @throws StoreException if the write failed; the log store then refuses all further commits
   */
  public void commit(WalBatch batch) {
    if (batch.isEmpty()) {
      return;
    }
    checkSizes(batch);
    for (Long g : batch.groups().keySet()) {
      group(g);
    }
    Pending me = new Pending(batch);
    List<Pending> leading;
    lock.lock();
    try {
      queue.add(me);
      while (!me.done && queue.peekFirst() != me) {
        me.turn.awaitUninterruptibly();
      }
      if (!me.done) {
        leading = new ArrayList<>(queue);
      } else {
        leading = null;
      }
    } finally {
      lock.unlock();
    }
    if (leading != null) {
      // This thread leads: write everyone's batch, outside the lock so others can queue.
      lead(leading);
    }
    if (me.error != null) {
      throw me.error;
    }
  }

  private void checkSizes(WalBatch batch) {
    int max = store.options().maxValueBytes();
    for (Map.Entry<Long, WalBatch.GroupUpdate> e : batch.groups().entrySet()) {
      for (LogEntry entry : e.getValue().entries) {
        if (entry.data().length > max) {
          throw new IllegalArgumentException("group " + e.getKey() + ": log entry "
              + entry.index() + " has " + entry.data().length + " bytes, over the limit of "
              + max + " (store option maxValueBytes)");
        }
      }
    }
  }

  private void lead(List<Pending> leading) {
    StoreException storeError = failedOrNull();
    List<Pending> valid = storeError == null ? validate(leading) : List.of();
    if (storeError == null && !valid.isEmpty()) {
      storeError = write(valid);
    }
    lock.lock();
    try {
      for (Pending p : leading) {
        if (p.error == null) {
          p.error = storeError;
        }
        p.done = true;
        queue.pollFirst();
        p.turn.signal();
      }
      Pending next = queue.peekFirst();
      if (next != null) {
        next.turn.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Checks each batch against the logs as the earlier batches of this write leave them; a
   * batch that would leave a gap fails alone, without harming the others.
   */
  private List<Pending> validate(List<Pending> leading) {
    Map<Long, Long> lastIndex = new HashMap<>();
    List<Pending> valid = new ArrayList<>();
    for (Pending p : leading) {
      Map<Long, Long> after = new HashMap<>();
      try {
        for (Map.Entry<Long, WalBatch.GroupUpdate> e : p.batch.groups().entrySet()) {
          long g = e.getKey();
          long last = after.getOrDefault(g, lastIndex.computeIfAbsent(g,
              x -> group(x).lastIndex()));
          after.put(g, lastAfter(g, e.getValue(), last));
        }
        lastIndex.putAll(after);
        valid.add(p);
      } catch (IllegalArgumentException e) {
        p.error = e;
      }
    }
    return valid;
  }

  private static long lastAfter(long g, WalBatch.GroupUpdate u, long last) {
    if (u.snapshot != null) {
      last = u.snapshot.index();
    }
    if (!u.entries.isEmpty()) {
      long first = u.entries.get(0).index();
      if (first > last + 1) {
        throw new IllegalArgumentException("group " + g + ": appending at " + first
            + " would leave a gap after the last index " + last);
      }
      last = u.entries.get(u.entries.size() - 1).index();
    }
    return last;
  }

  private StoreException write(List<Pending> batchesToWrite) {
    Map<Long, Long> lastIndex = new HashMap<>();
    long groupParts = 0;
    long entryCount = 0;
    long entryBytes = 0;
    boolean sync = false;
    try (WriteBatch wb = new WriteBatch()) {
      for (Pending p : batchesToWrite) {
        sync |= p.batch.syncRequired();
        for (Map.Entry<Long, WalBatch.GroupUpdate> e : p.batch.groups().entrySet()) {
          long g = e.getKey();
          long last = lastIndex.computeIfAbsent(g, x -> group(x).lastIndex());
          lastIndex.put(g, addGroup(wb, g, e.getValue(), last));
          groupParts++;
        }
        entryCount += p.batch.entryCount();
        entryBytes += p.batch.entryBytes();
      }
      if (sync) {
        store.writeSynced(wb);
      } else {
        store.write(wb);
      }
    } catch (RocksDBException e) {
      return fail(store.failure("building the WAL batch", e));
    } catch (StoreException e) {
      return fail(e);
    }
    for (Pending p : batchesToWrite) {
      for (Map.Entry<Long, WalBatch.GroupUpdate> e : p.batch.groups().entrySet()) {
        group(e.getKey()).applyDurable(e.getValue());
      }
    }
    lock.lock();
    try {
      if (sync) {
        syncs++;
      }
      batches += batchesToWrite.size();
      groupWrites += groupParts;
      entries += entryCount;
      bytes += entryBytes;
    } finally {
      lock.unlock();
    }
    return null;
  }

  private StoreException failedOrNull() {
    lock.lock();
    try {
      return failed;
    } finally {
      lock.unlock();
    }
  }

  private StoreException fail(StoreException e) {
    lock.lock();
    try {
      if (failed == null) {
        failed = new StoreException(store.dir(), "the raft log refuses writes after a failed"
            + " WAL write; restart the node to recover from disk", e);
      }
      return e;
    } finally {
      lock.unlock();
    }
  }

  /** Adds one group's (validated) update to the write; returns its last index after it. */
  private long addGroup(WriteBatch wb, long g, WalBatch.GroupUpdate u, long last)
      throws RocksDBException {
    var logCf = store.handle(Cf.RAFT_LOG);
    var stateCf = store.handle(Cf.RAFT_STATE);
    if (u.snapshot != null) {
      wb.deleteRange(logCf, RaftKeys.entry(g, 0), RaftKeys.entry(g, Long.MAX_VALUE));
      wb.put(stateCf, RaftKeys.state(g, RaftKeys.TRUNCATED), u.snapshot.encode());
      last = u.snapshot.index();
    }
    if (!u.entries.isEmpty()) {
      long first = u.entries.get(0).index();
      if (first <= last) {
        wb.deleteRange(logCf, RaftKeys.entry(g, first), RaftKeys.entry(g, last + 1));
      }
      for (LogEntry e : u.entries) {
        wb.put(logCf, RaftKeys.entry(g, e.index()), e.encodeValue());
      }
      last = u.entries.get(u.entries.size() - 1).index();
    }
    if (u.hardState != null) {
      wb.put(stateCf, RaftKeys.state(g, RaftKeys.HARD_STATE), u.hardState.encode());
    }
    return last;
  }

  /**
   * Discards a group's entries up to and including {@code index} (which the caller has applied
   * and captured in a snapshot), recording where the log now begins. Unsynced: after a crash the
   * entries may reappear, which only delays the compaction.
   */
  public void compact(long groupId, long index, byte[] membership) {
    GroupLog log = group(groupId);
    TruncatedState old = log.truncatedState();
    if (index <= old.index()) {
      return;
    }
    if (index > log.lastIndex()) {
      throw new IllegalArgumentException("group " + groupId + ": cannot compact to " + index
          + " beyond the last index " + log.lastIndex());
    }
    TruncatedState t = new TruncatedState(index, log.term(index), membership);
    try (WriteBatch wb = new WriteBatch()) {
      wb.put(store.handle(Cf.RAFT_STATE), RaftKeys.state(groupId, RaftKeys.TRUNCATED),
          t.encode());
      wb.deleteRange(store.handle(Cf.RAFT_LOG), RaftKeys.entry(groupId, 0),
          RaftKeys.entry(groupId, index + 1));
      store.write(wb);
    } catch (RocksDBException e) {
      throw store.failure("compacting the raft log of group " + groupId, e);
    }
    log.applyCompaction(t);
  }

  /**
   * Adds the removal of a group's whole log, hard state and truncated state to {@code batch}
   * (the caller writes it, together with whatever else must go at the same moment). Call
   * {@link #forget} once the batch is written. The group must have no commit in flight.
   */
  public void destroy(long groupId, WriteBatch batch) {
    try {
      batch.deleteRange(store.handle(Cf.RAFT_LOG), RaftKeys.entry(groupId, 0),
          RaftKeys.entry(groupId, Long.MAX_VALUE));
      batch.delete(store.handle(Cf.RAFT_LOG), RaftKeys.entry(groupId, Long.MAX_VALUE));
      batch.delete(store.handle(Cf.RAFT_STATE), RaftKeys.state(groupId, RaftKeys.HARD_STATE));
      batch.delete(store.handle(Cf.RAFT_STATE), RaftKeys.state(groupId, RaftKeys.TRUNCATED));
    } catch (RocksDBException e) {
      throw store.failure("removing the raft log of group " + groupId, e);
    }
  }

  /**
   * Drops what this object caches of a group whose log {@link #destroy} removed: its next use
   * starts from what is on disk (nothing).
   */
  public void forget(long groupId) {
    groups.remove(groupId);
    cache.asMap().keySet().removeIf(k -> k.groupId() == groupId);
  }

  public WalStats stats() {
    lock.lock();
    try {
      return new WalStats(syncs, batches, groupWrites, entries, bytes);
    } finally {
      lock.unlock();
    }
  }
}
