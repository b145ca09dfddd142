package io.flotilla.multiraft;

import io.flotilla.kv.GroupLog;
import io.flotilla.kv.LogCompactedException;
import io.flotilla.kv.LogEntry;
import io.flotilla.kv.RaftHardState;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.TruncatedState;
import io.flotilla.kv.WalBatch;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Entry;
import io.flotilla.raft.EntryType;
import io.flotilla.raft.HardState;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.SnapshotMetadata;
import io.flotilla.raft.Storage;
import java.util.ArrayList;
import java.util.List;

/**
 * The Raft core's {@link Storage} for one group, backed by the node's {@link RaftLogStore}: the
 * RocksDB twin of {@link io.flotilla.raft.MemoryStorage}. The kv-engine knows nothing of the core
 * (dependencies point down), so this class maps between the two vocabularies.
 *
 * <p>Writes go the other way, through {@link #persist}: the runtime adds every group's Ready to
 * one {@link WalBatch} per cycle and commits it once.
 */
public final class EngineRaftStorage implements Storage {
  private static final byte NORMAL = 0;
  private static final byte CONF_CHANGE = 1;

  private final GroupLog log;
  private final ConfState appliedMembers;

  /** Storage whose membership is the one recorded where the log begins. */
  public EngineRaftStorage(RaftLogStore logs, long groupId) {
    this(logs, groupId, null);
  }

  /**
   * Storage for a group whose state machine has applied membership changes beyond the start of
   * the log: {@code appliedMembers} is the membership as of the applied index, which the core
   * starts from (it re-applies only the entries after the applied index).
   */
  public EngineRaftStorage(RaftLogStore logs, long groupId, ConfState appliedMembers) {
    this.log = logs.group(groupId);
    this.appliedMembers = appliedMembers;
  }

  /**
   * Starts a new group's log on this store from the bootstrap snapshot naming its members
   * (index 1, term 1, committed), as {@link io.flotilla.raft.MemoryStorage#withVoters} does.
   */
  public static void bootstrap(RaftLogStore logs, long groupId, ConfState members) {
    bootstrap(logs, groupId, members, RaftHardState.EMPTY);
  }

  /**
   * As {@link #bootstrap(RaftLogStore, long, ConfState)}, keeping the term and vote of a
   * member that has taken part in elections already (with an empty log): forgetting a vote
   * could let it vote twice in one term.
   */
  public static void bootstrap(RaftLogStore logs, long groupId, ConfState members,
      RaftHardState voted) {
    Snapshot boot = Snapshot.bootstrap(members);
    boolean keep = voted.term() >= boot.term();
    logs.commit(new WalBatch()
        .installSnapshot(groupId, new TruncatedState(boot.index(), boot.term(),
            members.encode()))
        .setHardState(groupId, new RaftHardState(keep ? voted.term() : boot.term(),
            keep ? voted.vote() : 0, boot.index())));
  }

  /** Adds what {@code rd} asks to persist for {@code groupId} to the cycle's batch. */
  public static void persist(WalBatch batch, long groupId, Ready rd) {
    if (rd.snapshot() != null) {
      Snapshot s = rd.snapshot();
      batch.installSnapshot(groupId, new TruncatedState(s.index(), s.term(),
          s.metadata().confState().encode()));
    }
    if (!rd.entries().isEmpty()) {
      List<LogEntry> out = new ArrayList<>(rd.entries().size());
      for (Entry e : rd.entries()) {
        out.add(new LogEntry(e.index(), e.term(),
            e.type() == EntryType.CONF_CHANGE ? CONF_CHANGE : NORMAL, e.data()));
      }
      batch.append(groupId, out);
    }
    if (rd.hardState() != null) {
      HardState h = rd.hardState();
      batch.setHardState(groupId, new RaftHardState(h.term(), h.vote(), h.commit()),
          rd.mustSync());
    }
  }

  @Override
  public InitialState initialState() {
    RaftHardState h = log.hardState();
    return new InitialState(new HardState(h.term(), h.vote(), h.commit()),
        appliedMembers != null ? appliedMembers : membership());
  }

  private ConfState membership() {
    byte[] m = log.truncatedState().membership();
    return m.length == 0 ? ConfState.EMPTY : ConfState.decode(m);
  }

  @Override
  public List<Entry> entries(long lo, long hi, long maxBytes) {
    try {
      List<LogEntry> raw = log.entries(lo, hi, maxBytes);
      List<Entry> out = new ArrayList<>(raw.size());
      for (LogEntry e : raw) {
        out.add(new Entry(e.term(), e.index(),
            e.type() == CONF_CHANGE ? EntryType.CONF_CHANGE : EntryType.NORMAL, e.data()));
      }
      return out;
    } catch (LogCompactedException e) {
      throw new CompactedException(lo, log.firstIndex());
    }
  }

  @Override
  public long term(long index) {
    try {
      return log.term(index);
    } catch (LogCompactedException e) {
      throw new CompactedException(index, log.firstIndex());
    }
  }

  @Override
  public long firstIndex() {
    return log.firstIndex();
  }

  @Override
  public long lastIndex() {
    return log.lastIndex();
  }

  /**
   * The snapshot the log begins after. Its data is empty here: the range's data travels as a
   * range snapshot streamed by the runtime, not inside the Raft message.
   */
  @Override
  public Snapshot snapshot() {
    TruncatedState t = log.truncatedState();
    return new Snapshot(new SnapshotMetadata(t.index(), t.term(), membership()), new byte[0]);
  }
}
