package io.flotilla.sim;

import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Entry;
import io.flotilla.raft.EntryType;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.Message;
import io.flotilla.raft.ProposalId;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.ReadState;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Snapshot;
import io.flotilla.sim.EventTrace.Kind;
import io.flotilla.sim.SimStats.Counter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One member: a {@link RaftNode}, the {@link MemoryStorage} that stands for its disk, its
 * key-value state machine, and the driver loop that handles each {@link Ready} in the documented
 * order (persist, send, apply, advance).
 *
 * <p>A crash drops the RaftNode and all volatile state; only the storage survives, because in
 * this driver a Ready's writes are durable the moment step 1 finishes. A crash can also be armed
 * to fire inside the next Ready, at a {@link CrashPoint}, which is where real crashes hurt: after
 * {@link Ready#messages()} went out but before anything was persisted, a leader has told
 * followers about entries its own disk never got.
 */
final class SimNode {
  /** Where inside a Ready an armed crash fires. */
  enum CrashPoint {
    /** After sending {@code messages()}, before persisting anything of the Ready. */
    BEFORE_PERSIST,
    /** After persisting, before sending {@code messagesAfterPersist()}. */
    AFTER_PERSIST,
    /** After applying the first committed entry of the Ready, if there is one. */
    DURING_APPLY
  }

  /** A linearizable read in progress: waiting for its ReadState, then for the apply. */
  private static final class PendingRead {
    final long requestId;
    final int key;
    long index = -1;

    PendingRead(long requestId, int key) {
      this.requestId = requestId;
      this.key = key;
    }
  }

  /** Ready loops longer than this mean the core never runs out of work: a livelock. */
  private static final int MAX_READY_ROUNDS = 1000;
  /** Canonical send order: by receiver, stable, so the core's iteration order cannot leak. */
  private static final Comparator<Message> BY_RECEIVER = Comparator.comparingLong(Message::to);

  private final Simulation sim;
  private final long id;
  private final MemoryStorage storage;
  private final int maxInflight;
  private RaftNode raft;
  private KvStateMachine kv;
  private ConfState conf;
  private int incarnation;
  private CrashPoint armed;
  private final List<PendingRead> reads = new ArrayList<>();

  SimNode(Simulation sim, long id, MemoryStorage storage, int maxInflight) {
    this.sim = sim;
    this.id = id;
    this.storage = storage;
    this.maxInflight = maxInflight;
  }

  long id() {
    return id;
  }

  boolean live() {
    return raft != null;
  }

  RaftNode raft() {
    return raft;
  }

  MemoryStorage storage() {
    return storage;
  }

  int incarnation() {
    return incarnation;
  }

  /** The applied index of the state machine; meaningful only while live. */
  long applied() {
    return kv.appliedIndex();
  }

  KvStateMachine kv() {
    return kv;
  }

  /**
   * Starts (or restarts) over the persisted storage: the state machine is restored from the
   * storage's snapshot, and the core hands out the committed entries after it again.
   */
  void start() {
    Snapshot snap = storage.snapshot();
    kv = KvStateMachine.decode(snap.data(), snap.index());
    if (kv.appliedIndex() != snap.index()) {
      throw new SimViolation("snapshot integrity", "member " + id + " snapshot at "
          + snap.index() + " holds state applied to " + kv.appliedIndex());
    }
    conf = snap.metadata().confState();
    FaultPlan p = sim.plan();
    RaftConfig cfg = RaftConfig.builder(id, new SplittableRandom(sim.rng().nextLong()))
        .electionTicks(SimOptions.ELECTION_TICKS)
        .heartbeatTicks(p.heartbeatTicks())
        .preVote(p.preVote())
        .checkQuorum(p.checkQuorum())
        .maxMessageBytes(p.maxMessageBytes())
        .maxInflightMessages(maxInflight)
        .maxUncommittedBytes(p.maxUncommittedBytes())
        .maxCommittedBytesPerReady(p.maxCommittedBytesPerReady())
        .applied(snap.index())
        .plantedBugs(sim.options().bugs())
        .build();
    raft = new RaftNode(cfg, storage);
    armed = null;
    if (incarnation > 0) {
      sim.trace(Kind.RESTART, id, "from snapshot " + snap.index() + ", log to "
          + storage.lastIndex());
      sim.stats().inc(Counter.RESTARTS);
    }
    drive();
  }

  /** Loses everything but the storage, at once. */
  void crash(String why) {
    if (raft == null) {
      return;
    }
    raft = null;
    kv = null;
    conf = null;
    armed = null;
    incarnation++;
    reads.clear();
    sim.stats().inc(Counter.CRASHES);
    sim.trace(Kind.CRASH, id, why);
    sim.onCrashed(this);
  }

  /** Crashes at {@code point} inside the next Ready this member handles. */
  void armCrash(CrashPoint point) {
    if (raft != null) {
      armed = point;
    }
  }

  void disarm() {
    armed = null;
  }

  void tick() {
    if (raft != null) {
      raft.tick();
      drive();
    }
  }

  void step(Message m) {
    if (raft != null) {
      raft.step(m);
      drive();
    }
  }

  void reportSnapshot(long peer, boolean ok) {
    if (raft != null) {
      raft.reportSnapshot(peer, ok);
      drive();
    }
  }

  void reportUnreachable(long peer) {
    if (raft != null) {
      raft.reportUnreachable(peer);
      drive();
    }
  }

  /** Proposes a command; throws ProposalRejectedException if the core refuses. */
  ProposalId propose(byte[] data) {
    ProposalId pid = raft.propose(data);
    drive();
    return pid;
  }

  ProposalId proposeConfChange(ConfChange cc) {
    ProposalId pid = raft.proposeConfChange(cc);
    drive();
    return pid;
  }

  void transferLeadership(long target) {
    raft.transferLeadership(target);
    drive();
  }

  /** Starts a linearizable read; throws ProposalRejectedException if the core refuses. */
  void readIndex(long requestId, int key) {
    raft.readIndex(requestId);
    reads.add(new PendingRead(requestId, key));
    drive();
  }

  /**
   * The application's snapshot: records the state machine at the applied index, then compacts
   * the log up to {@code keep} entries before it, so a slow follower needs the snapshot.
   */
  void snapshot(int keep) {
    if (raft == null || kv.appliedIndex() <= storage.snapshot().index()) {
      return;
    }
    long at = kv.appliedIndex();
    storage.createSnapshot(at, conf, kv.encode());
    long compactTo = at - keep;
    if (compactTo >= storage.firstIndex()) {
      storage.compact(compactTo);
    }
    sim.stats().inc(Counter.SNAPSHOTS_CREATED);
    sim.trace(Kind.SNAPSHOT, id, "at " + at + ", log now " + storage.firstIndex() + ".."
        + storage.lastIndex());
  }

  /** Handles Readies until the core has none, as a real driver loop would. */
  void drive() {
    for (int round = 0; raft != null && raft.hasReady(); round++) {
      if (round == MAX_READY_ROUNDS) {
        throw new SimViolation("ready livelock", "member " + id + " still has a Ready after "
            + MAX_READY_ROUNDS + " rounds");
      }
      handle(raft.ready());
    }
  }

  private void handle(Ready rd) {
    send(rd.messages());
    if (armed == CrashPoint.BEFORE_PERSIST) {
      sim.stats().inc(Counter.MID_READY_CRASHES);
      crash("before persisting its Ready (" + rd.entries().size() + " entries lost)");
      return;
    }
    persist(rd);
    if (armed == CrashPoint.AFTER_PERSIST) {
      sim.stats().inc(Counter.MID_READY_CRASHES);
      crash("after persisting, before sending " + rd.messagesAfterPersist().size()
          + " messages");
      return;
    }
    send(rd.messagesAfterPersist());
    for (Entry e : rd.committedEntries()) {
      apply(e);
      if (armed == CrashPoint.DURING_APPLY) {
        sim.stats().inc(Counter.MID_READY_CRASHES);
        crash("while applying, after " + e.index());
        return;
      }
    }
    for (ReadState rs : rd.readStates()) {
      for (PendingRead r : reads) {
        if (r.requestId == rs.requestId() && r.index < 0) {
          r.index = rs.index();
        }
      }
    }
    serveReads();
    raft.advance(rd);
  }

  private void send(List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    List<Message> sorted = messages;
    if (messages.size() > 1) {
      sorted = new ArrayList<>(messages);
      sorted.sort(BY_RECEIVER);
    }
    for (Message m : sorted) {
      if (m.from() != id) {
        throw new SimViolation("message sender", "member " + id + " sent "
            + Messages.describe(m));
      }
      sim.network().send(this, m);
    }
  }

  private void persist(Ready rd) {
    Snapshot snap = rd.snapshot();
    if (snap != null) {
      KvStateMachine restored = KvStateMachine.decode(snap.data(), snap.index());
      sim.invariants().onSnapshotInstalled(this, snap, restored);
      storage.applySnapshot(snap);
      kv = restored;
      conf = snap.metadata().confState();
      sim.stats().inc(Counter.SNAPSHOTS_INSTALLED);
      sim.trace(Kind.INSTALL_SNAPSHOT, id, "at " + snap.term() + "/" + snap.index());
      serveReads();
    }
    if (!rd.entries().isEmpty()) {
      storage.append(rd.entries());
      sim.invariants().onPersisted(this, rd.entries());
    }
    if (rd.hardState() != null) {
      storage.setHardState(rd.hardState());
    }
  }

  private void apply(Entry e) {
    if (e.index() != kv.appliedIndex() + 1) {
      throw new SimViolation("apply order", "member " + id + " was handed " + e.term() + "/"
          + e.index() + " to apply after " + kv.appliedIndex());
    }
    Command cmd = null;
    if (e.type() == EntryType.NORMAL && e.data().length > 0) {
      cmd = Command.decode(e.data());
      if (cmd == null) {
        throw new SimViolation("entry integrity", "member " + id + " applies " + e
            + ", which no client proposed");
      }
    }
    kv.apply(e, cmd);
    if (e.type() == EntryType.CONF_CHANGE) {
      conf = raft.applyConfChange(ConfChange.decode(e.data()));
    }
    sim.onApplied(this, e, cmd, conf);
  }

  private void serveReads() {
    for (int i = 0; i < reads.size(); i++) {
      PendingRead r = reads.get(i);
      if (r.index >= 0 && r.index <= kv.appliedIndex()) {
        reads.remove(i--);
        sim.onReadServed(this, r.requestId, kv.value(r.key), kv.writeIndex(r.key));
      }
    }
  }

  /** Forgets a read the client gave up on. */
  void abandonRead(long requestId) {
    reads.removeIf(r -> r.requestId == requestId);
  }
}
