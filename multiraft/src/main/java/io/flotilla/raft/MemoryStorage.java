package io.flotilla.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link Storage} held in memory: the twin of the kv-engine's RocksDB storage for tests,
 * simulation and benchmarks. Not thread-safe; one driver thread owns it.
 */
public final class MemoryStorage implements Storage {
  private HardState hardState = HardState.EMPTY;
  private Snapshot snapshot = Snapshot.EMPTY;
  /** ents.get(0) is a placeholder at the snapshot's index and term; real entries follow. */
  private final ArrayList<Entry> ents = new ArrayList<>();

  public MemoryStorage() {
    ents.add(new Entry(0, 0, EntryType.NORMAL, null));
  }

  /**
   * The storage of a founding member of a new group: {@link Snapshot#bootstrap} naming the
   * initial voters, and the hard state that commits it. A member joining an existing group
   * starts from an empty {@code new MemoryStorage()} instead.
   */
  public static MemoryStorage withVoters(Long... voters) {
    MemoryStorage s = new MemoryStorage();
    Snapshot boot = Snapshot.bootstrap(ConfState.ofVoters(voters));
    s.applySnapshot(boot);
    s.hardState = new HardState(boot.term(), RaftNode.NONE, boot.index());
    return s;
  }

  @Override
  public InitialState initialState() {
    return new InitialState(hardState, snapshot.metadata().confState());
  }

  @Override
  public List<Entry> entries(long lo, long hi, long maxBytes) {
    long offset = ents.get(0).index();
    if (lo <= offset) {
      throw new CompactedException(lo, offset + 1);
    }
    if (hi > lastIndex() + 1) {
      throw new IllegalArgumentException(
          "entries [" + lo + ", " + hi + ") out of bound; last index is " + lastIndex());
    }
    List<Entry> out = new ArrayList<>();
    long size = 0;
    for (long i = lo; i < hi; i++) {
      Entry e = ents.get((int) (i - offset));
      size += e.sizeBytes();
      if (!out.isEmpty() && size > maxBytes) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  @Override
  public long term(long index) {
    long offset = ents.get(0).index();
    if (index < offset) {
      throw new CompactedException(index, offset + 1);
    }
    if (index - offset >= ents.size()) {
      throw new IllegalArgumentException("term of " + index + " unavailable; last index is "
          + lastIndex());
    }
    return ents.get((int) (index - offset)).term();
  }

  @Override
  public long firstIndex() {
    return ents.get(0).index() + 1;
  }

  @Override
  public long lastIndex() {
    return ents.get(0).index() + ents.size() - 1;
  }

  @Override
  public Snapshot snapshot() {
    return snapshot;
  }

  public HardState hardState() {
    return hardState;
  }

  public void setHardState(HardState hs) {
    hardState = hs;
  }

  /**
   * Appends entries, first discarding any existing entries at or after the first new index
   * (the conflicting suffix a new leader overwrote). Entries already compacted are skipped.
   */
  public void append(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    long first = firstIndex();
    long last = entries.get(entries.size() - 1).index();
    if (last < first) {
      return;
    }
    int skip = (int) Math.max(0, first - entries.get(0).index());
    long start = entries.get(skip).index();
    if (start > lastIndex() + 1) {
      throw new IllegalArgumentException(
          "missing log entries: last index " + lastIndex() + ", appending at " + start);
    }
    long offset = ents.get(0).index();
    int keep = (int) (start - offset);
    ents.subList(keep, ents.size()).clear();
    ents.addAll(entries.subList(skip, entries.size()));
  }

  /** Replaces the whole log by a snapshot received from the leader. */
  public void applySnapshot(Snapshot snap) {
    if (snap.index() <= snapshot.index()) {
      throw new IllegalArgumentException("snapshot at " + snap.index()
          + " is not newer than the current one at " + snapshot.index());
    }
    snapshot = snap;
    ents.clear();
    ents.add(new Entry(snap.term(), snap.index(), EntryType.NORMAL, null));
  }

  /**
   * Records a snapshot of the application state at {@code index} (which must be applied and so
   * in the log), e.g. before compacting.
   */
  public Snapshot createSnapshot(long index, ConfState cs, byte[] data) {
    if (index <= snapshot.index()) {
      throw new IllegalArgumentException(
          "snapshot index " + index + " is not after " + snapshot.index());
    }
    if (index > lastIndex()) {
      throw new IllegalArgumentException(
          "snapshot index " + index + " is after the last index " + lastIndex());
    }
    snapshot = new Snapshot(new SnapshotMetadata(index, term(index), cs), data);
    return snapshot;
  }

  /** Discards entries up to and including {@code index}; callers snapshot first. */
  public void compact(long index) {
    long offset = ents.get(0).index();
    if (index <= offset) {
      return;
    }
    if (index > lastIndex()) {
      throw new IllegalArgumentException(
          "compact " + index + " is after the last index " + lastIndex());
    }
    int cut = (int) (index - offset);
    Entry marker = ents.get(cut);
    ents.subList(0, cut + 1).clear();
    ents.add(0, new Entry(marker.term(), marker.index(), EntryType.NORMAL, null));
  }
}
