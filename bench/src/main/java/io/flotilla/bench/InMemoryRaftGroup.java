package io.flotilla.bench;

import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Entry;
import io.flotilla.raft.EntryType;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.Message;
import io.flotilla.raft.ProposalId;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Role;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A minimal single-threaded driver of one Raft group whose members live in this process: no
 * I/O, no clock, no threads. Each member persists to a {@link MemoryStorage}, and messages are
 * handed directly from one member's {@link Ready} to the recipient's {@link RaftNode#step}.
 *
 * <p>The driver is kept allocation-free in steady state (preallocated inboxes, index loops over
 * the Ready's lists, a long checksum as the "state machine") so that a benchmark built on it
 * measures the core, not the harness.
 *
 * <p>One <em>cycle</em> delivers every queued message and then handles at most one
 * {@link Ready} per member, following the driver contract in {@link Ready}'s documentation:
 * persist (snapshot, entries, hard state), send, apply, advance. Messages produced in a cycle
 * are delivered at the start of the next one. Everything is lossless and in order.
 */
final class InMemoryRaftGroup {
  /** Upper bound on cycles to wait for one commit; far above the 3 a healthy group needs. */
  private static final int MAX_CYCLES = 1_000;
  private static final byte[] NO_SNAPSHOT_DATA = new byte[0];

  /** One member and everything its driver keeps for it. */
  private static final class Member {
    final long id;
    final RaftNode node;
    final MemoryStorage storage;
    /** Messages addressed to this member, not yet stepped. */
    final ArrayDeque<Message> inbox = new ArrayDeque<>(1024);
    /** Index of the last entry applied to this member's "state machine". */
    long applied;
    /** The "state machine": a running hash of every applied entry. */
    long checksum;

    Member(long id, RaftNode node, MemoryStorage storage) {
      this.id = id;
      this.node = node;
      this.storage = storage;
    }
  }

  private final Member[] members;
  private final ConfState confState;
  /** Entries each storage keeps behind its applied index when compacting. */
  private final long keepEntries;
  private Member leader;
  private long cycles;

  /**
   * @param size number of voters (ids 1..size)
   * @param seed seeds every member's election jitter, so runs replay exactly
   * @param keepEntries entries to keep in each storage when compacting; compaction runs once
   *     a storage holds twice this many applied entries, so its cost is amortized
   */
  InMemoryRaftGroup(int size, long seed, long keepEntries) {
    if (keepEntries < 1) {
      throw new IllegalArgumentException("keepEntries must be positive, got " + keepEntries);
    }
    this.keepEntries = keepEntries;
    Long[] ids = new Long[size];
    for (int i = 0; i < size; i++) {
      ids[i] = (long) (i + 1);
    }
    this.confState = ConfState.ofVoters(ids);
    SplittableRandom rnd = new SplittableRandom(seed);
    members = new Member[size];
    for (int i = 0; i < size; i++) {
      MemoryStorage storage = MemoryStorage.withVoters(ids);
      RaftConfig cfg = RaftConfig.builder(ids[i], rnd.split()).build();
      members[i] = new Member(ids[i], new RaftNode(cfg, storage), storage);
    }
  }

  /**
   * Makes member {@code id} campaign and drives the group until it leads and every member has
   * applied everything (including the new leader's no-op entry).
   */
  void electLeader(long id) {
    Member m = member(id);
    m.node.campaign();
    for (int i = 0; i < MAX_CYCLES && m.node.role() != Role.LEADER; i++) {
      cycle();
    }
    if (m.node.role() != Role.LEADER) {
      throw new IllegalStateException("member " + id + " did not become leader");
    }
    leader = m;
    settle();
    // A follower whose first append was still unanswered when the no-op committed learns the
    // commit index only from a later append or heartbeat: send one heartbeat round.
    heartbeat();
    for (Member other : members) {
      if (other.node.leader() != id || other.applied != m.node.lastIndex()) {
        throw new IllegalStateException("group did not settle after the election: member "
            + other.id + " knows leader " + other.node.leader() + ", applied " + other.applied
            + " of " + m.node.lastIndex());
      }
    }
  }

  /** Proposes {@code data} on the leader; the group is not driven. */
  ProposalId propose(byte[] data) {
    return leader.node.propose(data);
  }

  /**
   * Drives the group, one cycle at a time, until the leader has applied the proposal
   * {@code id}; then compacts the storages if they have grown past the threshold.
   *
   * @return the number of cycles it took
   */
  int driveUntilApplied(ProposalId id) {
    int n = 0;
    while (leader.applied < id.index()) {
      if (++n > MAX_CYCLES) {
        throw new IllegalStateException("proposal " + id + " not applied on the leader after "
            + MAX_CYCLES + " cycles (applied " + leader.applied + ", commit "
            + leader.node.commitIndex() + ")");
      }
      cycle();
    }
    if (leader.node.term() != id.term()) {
      throw new IllegalStateException("leadership changed during the run: " + id
          + " but the leader is now at term " + leader.node.term());
    }
    maybeCompact();
    return n;
  }

  /**
   * Ticks the leader once (one heartbeat interval with the default settings), so it tells every
   * follower the commit index, and settles the group. Only the leader ticks: followers never
   * campaign during a run.
   */
  void heartbeat() {
    leader.node.tick();
    settle();
  }

  /** Runs cycles until no member has anything left to do and no message is in flight. */
  void settle() {
    for (int i = 0; i < MAX_CYCLES; i++) {
      if (!cycle()) {
        return;
      }
    }
    throw new IllegalStateException("group did not settle in " + MAX_CYCLES + " cycles");
  }

  /**
   * Delivers every queued message, then handles one Ready per member that has one.
   *
   * @return whether anything happened
   */
  boolean cycle() {
    cycles++;
    boolean any = false;
    for (Member m : members) {
      ArrayDeque<Message> inbox = m.inbox;
      Message msg;
      while ((msg = inbox.poll()) != null) {
        m.node.step(msg);
        any = true;
      }
    }
    for (Member m : members) {
      if (m.node.hasReady()) {
        handleReady(m);
        any = true;
      }
    }
    return any;
  }

  private void handleReady(Member m) {
    RaftNode node = m.node;
    Ready rd = node.ready();
    // 1. Persist: snapshot, then entries, then hard state ("durable" at once in memory).
    MemoryStorage storage = m.storage;
    if (rd.snapshot() != null) {
      storage.applySnapshot(rd.snapshot());
      m.applied = rd.snapshot().index();
    }
    storage.append(rd.entries());
    if (rd.hardState() != null) {
      storage.setHardState(rd.hardState());
    }
    // 2. Send: everything is persisted, so both kinds of messages may go now.
    route(rd.messages());
    route(rd.messagesAfterPersist());
    // 3. Apply.
    List<Entry> committed = rd.committedEntries();
    long checksum = m.checksum;
    for (int i = 0, n = committed.size(); i < n; i++) {
      Entry e = committed.get(i);
      byte[] data = e.data();
      if (e.type() == EntryType.CONF_CHANGE) {
        node.applyConfChange(ConfChange.decode(data));
      }
      checksum = checksum * 31 + e.term() * 17 + e.index()
          + (data.length == 0 ? 0 : data.length * 7 + data[0] + data[data.length - 1]);
    }
    m.checksum = checksum;
    if (!committed.isEmpty()) {
      m.applied = committed.get(committed.size() - 1).index();
    }
    // Read states are not used by this driver: nobody asks for reads.
    // 4. Advance.
    node.advance(rd);
  }

  private void route(List<Message> msgs) {
    for (int i = 0, n = msgs.size(); i < n; i++) {
      Message msg = msgs.get(i);
      members[(int) msg.to() - 1].inbox.add(msg);
    }
  }

  /**
   * Once every storage holds at least {@code 2 * keepEntries} applied entries, snapshots each
   * one at (group-wide applied index - keepEntries) and discards the log up to there. Using the
   * group-wide minimum keeps every entry a lagging follower may still need.
   */
  private void maybeCompact() {
    long minApplied = Long.MAX_VALUE;
    long maxHeld = 0;
    for (Member m : members) {
      minApplied = Math.min(minApplied, m.applied);
      maxHeld = Math.max(maxHeld, m.applied - (m.storage.firstIndex() - 1));
    }
    if (maxHeld < 2 * keepEntries) {
      return;
    }
    long compactTo = minApplied - keepEntries;
    for (Member m : members) {
      MemoryStorage s = m.storage;
      if (compactTo > s.firstIndex() - 1 && compactTo <= s.lastIndex()) {
        s.createSnapshot(compactTo, confState, NO_SNAPSHOT_DATA);
        s.compact(compactTo);
      }
    }
  }

  private Member member(long id) {
    if (id < 1 || id > members.length) {
      throw new IllegalArgumentException("no member " + id);
    }
    return members[(int) id - 1];
  }

  RaftNode leaderNode() {
    return leader.node;
  }

  long leaderApplied() {
    return leader.applied;
  }

  long leaderChecksum() {
    return leader.checksum;
  }

  long cycles() {
    return cycles;
  }

  /** Entries currently held by member {@code id}'s storage (after its snapshot). */
  long storedEntries(long id) {
    MemoryStorage s = member(id).storage;
    return s.lastIndex() - s.firstIndex() + 1;
  }

  /**
   * Settles the group and checks that every member applied the same log: same applied index
   * and the same checksum over every applied entry.
   */
  void verifyConsistent() {
    settle();
    heartbeat();
    for (Member m : members) {
      if (m.applied != leader.applied || m.checksum != leader.checksum) {
        throw new IllegalStateException("member " + m.id + " applied " + m.applied + " (checksum "
            + m.checksum + ") but the leader applied " + leader.applied + " (checksum "
            + leader.checksum + ")");
      }
    }
  }
}
