package io.flotilla.raft.scenario;

import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Entry;
import io.flotilla.raft.EntryType;
import io.flotilla.raft.HardState;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.Message;
import io.flotilla.raft.ProposalId;
import io.flotilla.raft.ProposalRejectedException;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.RaftStatus;
import io.flotilla.raft.ReadState;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Role;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.SnapshotMetadata;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * An in-memory group whose every event is triggered by the script: members tick only when told,
 * and a message waits in its recipient's queue until {@code deliver-msgs} (or
 * {@code stabilize}) steps it in. Each method appends what happened to the output buffer, which
 * {@link Commands} drains after each command.
 *
 * <p>The driver follows {@link Ready}'s contract: persist, send, apply, advance. Because the
 * network is driven by hand, "send" only queues; so messages and messagesAfterPersist are both
 * queued once the Ready is persisted, and are printed apart so the ordering duty is visible.
 */
final class ScenarioEnv {
  /** Settings of {@code add-nodes}; {@code voters == null} means "the members being added". */
  record NodeOptions(List<Long> voters, List<Long> learners, boolean preVote,
      boolean checkQuorum, int electionTicks, int heartbeatTicks, long maxMessageBytes,
      int maxInflight, long index, long seed) {}

  /** Bound on stabilize rounds: a protocol that keeps chattering without input is a bug. */
  private static final int MAX_STABILIZE_ROUNDS = 1000;

  private final TreeMap<Long, Member> members = new TreeMap<>();
  private final TreeMap<Long, ArrayDeque<Message>> queues = new TreeMap<>();
  /** Partition group of each listed member; unlisted members share group 0; empty = healed. */
  private final Map<Long, Integer> partition = new HashMap<>();
  private final List<String> out = new ArrayList<>();

  List<String> drainOutput() {
    List<String> lines = new ArrayList<>(out);
    out.clear();
    return lines;
  }

  private void print(String line) {
    out.add(line);
  }

  private Member member(long id) {
    Member m = members.get(id);
    if (m == null) {
      throw new ScenarioException("no member " + id);
    }
    return m;
  }

  /** The running node, or null after printing that the member is down. */
  private RaftNode running(long id) {
    Member m = member(id);
    if (!m.up()) {
      print("error: " + id + " is down");
    }
    return m.node;
  }

  // ------------------------------------------------------------------ membership of the env

  void addNodes(int n, NodeOptions o) {
    long first = members.isEmpty() ? 1 : members.lastKey() + 1;
    List<Long> ids = new ArrayList<>();
    for (long id = first; id < first + n; id++) {
      ids.add(id);
    }
    ConfState cs = new ConfState(Set.copyOf(o.voters() == null ? ids : o.voters()), Set.of(),
        Set.copyOf(o.learners()), Set.of(), false);
    boolean joiner = cs.voters().isEmpty() && cs.learners().isEmpty();
    if (o.index() < 1) {
      throw new ScenarioException("add-nodes: index=" + o.index() + ": a group starts from its"
          + " bootstrap snapshot at index 1 or, with index=N, from a snapshot at N");
    }
    if (joiner && o.index() != 1) {
      throw new ScenarioException("add-nodes: members without voters or learners join with"
          + " empty storage; index=" + o.index() + " does not apply to them");
    }
    for (long id : ids) {
      MemoryStorage storage = new MemoryStorage();
      if (!joiner) {
        // A founding member: the bootstrap snapshot (index 1, term 1, the initial membership)
        // and the hard state that commits it, as MemoryStorage.withVoters sets them up. With
        // index=N > 1 the snapshot is at N (term 1), as if the group had been running and
        // compacted: the way to test catch-up without replaying a long history.
        storage.applySnapshot(o.index() == 1 ? Snapshot.bootstrap(cs)
            : new Snapshot(new SnapshotMetadata(o.index(), 1, cs), new byte[0]));
        storage.setHardState(new HardState(1, RaftNode.NONE, o.index()));
      }
      // else: a member joining an existing group starts from an empty new MemoryStorage() and
      // learns the membership from the leader's snapshot.
      RaftConfig cfg = RaftConfig.builder(id, new SplittableRandom(o.seed() + id))
          .electionTicks(o.electionTicks())
          .heartbeatTicks(o.heartbeatTicks())
          .preVote(o.preVote())
          .checkQuorum(o.checkQuorum())
          .maxMessageBytes(o.maxMessageBytes())
          .maxInflightMessages(o.maxInflight())
          .build();
      Member m = new Member(id, storage, cfg);
      m.start();
      members.put(id, m);
      print(Fmt.member(m.node) + " commit=" + m.node.commitIndex() + " last="
          + m.node.lastIndex() + " " + Fmt.confState(cs));
    }
  }

  // ------------------------------------------------------------------ time and elections

  /** Runs {@code action} on a running member and prints the role/term/leader change, if any. */
  private void withChange(long id, Consumer<RaftNode> action) {
    RaftNode n = running(id);
    if (n == null) {
      return;
    }
    String before = Fmt.member(n);
    try {
      action.accept(n);
    } catch (ProposalRejectedException e) {
      print("rejected: " + e.getMessage());
      return;
    }
    String after = Fmt.member(n);
    if (!after.equals(before)) {
      print(after);
    }
  }

  void tick(long id, int times) {
    withChange(id, n -> {
      for (int i = 0; i < times; i++) {
        n.tick();
      }
    });
  }

  void tickHeartbeat(long id) {
    tick(id, member(id).config.heartbeatTicks());
  }

  /**
   * Ticks until the election timeout has surely fired. A follower's randomized timeout is below
   * 2 x electionTicks, so it ticks at most that many times but stops at the first change of role
   * or term: ticking on would start a second election. A leader ticks exactly electionTicks,
   * which runs one CheckQuorum check; a second check would fail only because this harness
   * delivers no messages while ticking.
   */
  void tickElection(long id) {
    RaftNode n = running(id);
    if (n == null) {
      return;
    }
    int e = member(id).config.electionTicks();
    boolean leader = n.role() == Role.LEADER;
    int limit = leader ? e : 2 * e;
    Role role = n.role();
    long term = n.term();
    String before = Fmt.member(n);
    int ticks = 0;
    while (ticks < limit && n.role() == role && n.term() == term) {
      n.tick();
      ticks++;
    }
    String after = Fmt.member(n);
    print("ticked " + ticks + (after.equals(before) ? "" : ": " + after));
  }

  void campaign(long id) {
    withChange(id, RaftNode::campaign);
  }

  // ------------------------------------------------------------------ Ready handling

  /** Handles one Ready of {@code id} if it has one; returns whether it had. */
  boolean processReady(long id) {
    Member m = member(id);
    if (!m.up() || !m.node.hasReady()) {
      return false;
    }
    RaftNode n = m.node;
    Ready rd = n.ready();
    print("> " + id + " handling Ready" + (rd.mustSync() ? " (must sync)" : ""));
    if (rd.softState() != null) {
      print("  soft: " + Fmt.role(rd.softState().role()) + " lead=" + rd.softState().leader());
    }
    // 1. Persist: snapshot, then entries, then hard state.
    if (rd.snapshot() != null) {
      m.storage.applySnapshot(rd.snapshot());
      print("  persist snapshot: " + Fmt.snapshot(rd.snapshot()));
    }
    m.storage.append(rd.entries());
    for (Entry e : rd.entries()) {
      print("  persist: " + Fmt.entry(e));
    }
    if (rd.hardState() != null) {
      m.storage.setHardState(rd.hardState());
      print("  hard: " + Fmt.hardState(rd.hardState()));
    }
    // 2. Send (queue) both lists; everything above is durable now.
    for (Message msg : rd.messages()) {
      enqueue(msg);
      print("  send: " + Fmt.message(msg));
    }
    for (Message msg : rd.messagesAfterPersist()) {
      enqueue(msg);
      print("  send after persist: " + Fmt.message(msg));
    }
    // 3. Apply.
    if (rd.snapshot() != null) {
      m.applied = rd.snapshot().index();
      m.confAt.tailMap(m.applied, true).clear();
      m.confAt.put(m.applied, rd.snapshot().metadata().confState());
    }
    for (Entry e : rd.committedEntries()) {
      apply(m, e);
    }
    for (ReadState rs : rd.readStates()) {
      print("  read-state: req=" + rs.requestId() + " index=" + rs.index()
          + (m.applied >= rs.index() ? "" : " (waits for apply)"));
    }
    // 4. Advance. Catching up the application may start a campaign deferred until a conf
    // change was applied (a TimeoutNow that arrived first): show it as it happens.
    String before = Fmt.member(n);
    n.advance(rd);
    String after = Fmt.member(n);
    if (!after.equals(before)) {
      print("  advance: " + after);
    }
    return true;
  }

  private void apply(Member m, Entry e) {
    if (e.index() != m.applied + 1) {
      throw new IllegalStateException(m.id + " applies " + e.index() + " after " + m.applied);
    }
    m.applied = e.index();
    print("  apply: " + Fmt.entry(e));
    if (e.type() == EntryType.CONF_CHANGE) {
      String before = Fmt.member(m.node);
      ConfState cs = m.node.applyConfChange(ConfChange.decode(e.data()));
      m.confAt.put(e.index(), cs);
      print("  conf: " + Fmt.confState(cs));
      if (!Fmt.member(m.node).equals(before)) {
        print("  " + Fmt.member(m.node));
      }
    }
  }

  private void enqueue(Message msg) {
    queues.computeIfAbsent(msg.to(), k -> new ArrayDeque<>()).add(msg);
  }

  boolean processReady(Collection<Long> ids) {
    boolean any = false;
    for (long id : ids) {
      any |= processReady(id);
    }
    return any;
  }

  Set<Long> memberIds() {
    return members.keySet();
  }

  // ------------------------------------------------------------------ network

  /**
   * Steps the queued messages for {@code to} (those of {@code type} only, if given); messages
   * to or from {@code drop}, across the partition, or to a member that is down are discarded.
   * Returns whether any message was taken from the queue.
   */
  boolean deliver(long to, Set<Long> drop, String type) {
    ArrayDeque<Message> q = queues.get(to);
    if (q == null || q.isEmpty()) {
      return false;
    }
    List<Message> take = new ArrayList<>();
    ArrayDeque<Message> keep = new ArrayDeque<>();
    for (Message msg : q) {
      (type == null || Fmt.type(msg).equals(type) ? take : keep).add(msg);
    }
    queues.put(to, keep);
    if (take.isEmpty()) {
      return false;
    }
    print("> " + to + " receiving messages");
    Member m = members.get(to);
    for (Message msg : take) {
      String why = drop.contains(msg.from()) || drop.contains(msg.to()) ? "dropped"
          : partitioned(msg.from(), msg.to()) ? "dropped (partition)"
          : m == null ? "dropped (no member " + to + ")"
          : !m.up() ? "dropped (" + to + " is down)"
          : null;
      if (why != null) {
        print("  " + why + ": " + Fmt.message(msg));
        continue;
      }
      print("  " + Fmt.message(msg));
      String before = Fmt.member(m.node);
      m.node.step(msg);
      String after = Fmt.member(m.node);
      if (!after.equals(before)) {
        print("  " + after);
      }
    }
    return true;
  }

  boolean deliverAll(Set<Long> drop, String type) {
    boolean any = false;
    for (long to : new ArrayList<>(queues.keySet())) {
      any |= deliver(to, drop, type);
    }
    return any;
  }

  /** Alternates handling every Ready and delivering every message until nothing is left. */
  void stabilize() {
    for (int round = 0; ; round++) {
      if (round == MAX_STABILIZE_ROUNDS) {
        throw new IllegalStateException("not quiescent after " + round + " rounds");
      }
      boolean any = processReady(new ArrayList<>(members.keySet()));
      any |= deliverAll(Set.of(), null);
      if (!any) {
        return;
      }
    }
  }

  private boolean partitioned(long a, long b) {
    return !partition.isEmpty()
        && partition.getOrDefault(a, 0).intValue() != partition.getOrDefault(b, 0).intValue();
  }

  void partition(List<List<Long>> groups) {
    partition.clear();
    for (int g = 0; g < groups.size(); g++) {
      for (long id : groups.get(g)) {
        partition.put(id, g + 1);
      }
    }
  }

  void heal() {
    partition.clear();
  }

  // ------------------------------------------------------------------ client requests

  void propose(long id, byte[] data) {
    withChange(id, n -> print("proposal " + fmt(n.propose(data))));
  }

  void proposeConfChange(long id, ConfChange cc) {
    withChange(id, n -> print("proposal " + fmt(n.proposeConfChange(cc))));
  }

  private static String fmt(ProposalId p) {
    return p.term() + "/" + p.index();
  }

  void readIndex(long id, long requestId) {
    withChange(id, n -> n.readIndex(requestId));
  }

  void transferLeader(long from, long to) {
    withChange(from, n -> n.transferLeadership(to));
  }

  void reportSnapshot(long from, long to, boolean ok) {
    withChange(from, n -> n.reportSnapshot(to, ok));
  }

  void reportUnreachable(long from, long to) {
    withChange(from, n -> n.reportUnreachable(to));
  }

  // ------------------------------------------------------------------ storage and failures

  /** Snapshots {@code id}'s applied state at {@code index} and drops the log up to it. */
  void compact(long id, long index) {
    Member m = member(id);
    if (index > m.applied) {
      print("error: cannot compact " + id + " to " + index + ": applied is only " + m.applied);
      return;
    }
    try {
      Snapshot s = m.storage.createSnapshot(index, m.confAt.floorEntry(index).getValue(),
          new byte[0]);
      m.storage.compact(index);
      long first = m.storage.firstIndex();
      long last = m.storage.lastIndex();
      print(id + " snapshot " + Fmt.snapshot(s) + "; log now "
          + (last < first ? "empty" : "[" + first + ", " + last + "]"));
    } catch (IllegalArgumentException e) {
      print("error: " + e.getMessage());
    }
  }

  /**
   * Kills the process: the node, its unhandled Ready (shown, then thrown away), its state
   * machine and its inbox are lost; only what earlier Readys persisted remains.
   */
  void crash(long id) {
    Member m = member(id);
    if (!m.up()) {
      print("error: " + id + " is already down");
      return;
    }
    print(id + " crashed");
    if (m.node.hasReady()) {
      Ready rd = m.node.ready();
      if (rd.hardState() != null) {
        print("  lost: hard " + Fmt.hardState(rd.hardState()));
      }
      if (rd.snapshot() != null) {
        print("  lost: snapshot " + Fmt.snapshot(rd.snapshot()));
      }
      for (Entry e : rd.entries()) {
        print("  lost: " + Fmt.entry(e));
      }
      for (Message msg : rd.messages()) {
        print("  lost: " + Fmt.message(msg));
      }
      for (Message msg : rd.messagesAfterPersist()) {
        print("  lost: " + Fmt.message(msg));
      }
    }
    ArrayDeque<Message> inbox = queues.remove(id);
    if (inbox != null) {
      for (Message msg : inbox) {
        print("  lost: " + Fmt.message(msg));
      }
    }
    m.node = null;
  }

  void restart(long id) {
    Member m = member(id);
    if (m.up()) {
      print("error: " + id + " is running");
      return;
    }
    m.start();
    RaftNode n = m.node;
    print(Fmt.member(n) + " vote=" + n.status().hardState().vote() + " commit="
        + n.commitIndex() + " applied=" + n.status().applied() + " last=" + n.lastIndex());
  }

  // ------------------------------------------------------------------ inspection

  void status(long id) {
    RaftNode n = running(id);
    if (n == null) {
      return;
    }
    RaftStatus st = n.status();
    print(id + ": " + Fmt.role(st.role()) + " " + Fmt.hardState(st.hardState()) + " applied="
        + st.applied() + " last=" + st.lastIndex() + " lead=" + st.leader() + " "
        + Fmt.confState(st.confState())
        + (st.leadTransferee() != RaftNode.NONE ? " transferee=" + st.leadTransferee() : ""));
    for (Map.Entry<Long, RaftStatus.PeerProgress> e : st.progress().entrySet()) {
      RaftStatus.PeerProgress p = e.getValue();
      print("  " + e.getKey() + ": match=" + p.match() + " next=" + p.next() + " " + p.state()
          + (p.learner() ? " learner" : ""));
    }
  }

  /** What {@code id} has persisted (readable while it is down: that is what a restart sees). */
  void raftLog(long id) {
    MemoryStorage s = member(id).storage;
    print("hard: " + Fmt.hardState(s.hardState()));
    if (!s.snapshot().isEmpty()) {
      print("snapshot: " + Fmt.snapshot(s.snapshot()));
    }
    if (s.lastIndex() < s.firstIndex()) {
      print("log is empty");
      return;
    }
    for (Entry e : s.entries(s.firstIndex(), s.lastIndex() + 1, Long.MAX_VALUE)) {
      print(Fmt.entry(e));
    }
  }
}
