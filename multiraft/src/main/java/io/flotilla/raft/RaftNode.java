package io.flotilla.raft;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One member of one Raft group: a pure, deterministic state machine. It does no I/O, starts no
 * threads and reads no clock; its only inputs are the calls below and its only output is the
 * {@link Ready} batch. The driver (a simulation, or the store runtime) owns persistence,
 * networking and timing, and must follow the protocol in {@link Ready}'s documentation.
 *
 * <p>Not thread-safe: one driver thread at a time.
 */
public final class RaftNode {
  /** The id that means "nobody": no vote, no known leader. */
  public static final long NONE = 0;

  private final Raft raft;
  private SoftState prevSoftState;
  private HardState prevHardState;
  private boolean readyOutstanding;

  /**
   * Starts a member from what {@code storage} has persisted: its hard state, log, snapshot and
   * membership. A brand-new group starts from storage whose snapshot names the initial voters
   * (see {@link MemoryStorage#withVoters}).
   */
  public RaftNode(RaftConfig config, Storage storage) {
    this.raft = new Raft(config, storage);
    this.prevSoftState = softState();
    this.prevHardState = hardState();
  }

  public long id() {
    return raft.id;
  }

  public long term() {
    return raft.term;
  }

  /** The leader this member knows of, or {@link #NONE}. */
  public long leader() {
    return raft.lead;
  }

  public Role role() {
    return raft.role;
  }

  public long commitIndex() {
    return raft.log.committed;
  }

  public long lastIndex() {
    return raft.log.lastIndex();
  }

  public RaftStatus status() {
    Map<Long, RaftStatus.PeerProgress> progress = new TreeMap<>();
    if (raft.role == Role.LEADER) {
      for (Map.Entry<Long, Progress> e : raft.tracker.progress().entrySet()) {
        Progress p = e.getValue();
        progress.put(e.getKey(), new RaftStatus.PeerProgress(p.match, p.next,
            p.state.name().toLowerCase(java.util.Locale.ROOT), p.learner));
      }
    }
    return new RaftStatus(raft.id, hardState(), raft.log.applied, raft.log.lastIndex(),
        raft.role, raft.lead, raft.tracker.config().toConfState(), progress,
        raft.leadTransferee);
  }

  /** Advances logical time by one tick: drives election timeouts and heartbeats. */
  public void tick() {
    raft.tick();
  }

  /**
   * Tells the member that the driver stopped ticking it for a while by agreement (the group was
   * idle and caught up, "quiesced") and now ticks it again. Without this, a leader's CheckQuorum
   * would mistake the agreed silence for lost contact and step down, and a follower would count
   * the silence towards its election timeout.
   */
  public void unquiesce() {
    raft.unquiesce();
  }

  /** Starts an election now (as if the election timeout had passed). */
  public void campaign() {
    raft.hup(false);
  }

  /**
   * Hands a message received from a peer to the protocol.
   *
   * @throws IllegalArgumentException if the message is not addressed to this member
   */
  public void step(Message m) {
    if (m.to() != raft.id) {
      throw new IllegalArgumentException(
          "message for " + m.to() + " stepped into member " + raft.id + ": " + m);
    }
    if (m.from() == raft.id) {
      throw new IllegalArgumentException("member " + raft.id + " received its own message");
    }
    raft.step(m);
  }

  /**
   * Proposes a command. On the leader it is appended to the log and will be replicated;
   * whether it commits is seen when an entry with the returned id is applied.
   *
   * @throws ProposalRejectedException if this member is not the leader (with the leader as a
   *     hint), a leadership transfer is in progress, or too much is uncommitted
   */
  public ProposalId propose(byte[] data) {
    return raft.propose(new Entry(0, 0, EntryType.NORMAL, data.clone()));
  }

  /**
   * Proposes a membership change. Only one may be in flight: the next is accepted once this
   * one is applied.
   *
   * @throws ProposalRejectedException as {@link #propose}, or CONF_CHANGE_PENDING, or
   *     INVALID_CONF_CHANGE naming what is wrong with the change
   */
  public ProposalId proposeConfChange(ConfChange cc) {
    return raft.propose(new Entry(0, 0, EntryType.CONF_CHANGE, cc.encode()));
  }

  /**
   * Requests a linearizable read. The answer comes later on this member as a {@link ReadState}
   * with the same {@code requestId} in a {@link Ready}; serve the read once the applied index
   * reaches it. A follower forwards the request to its leader. A request lost to a leader change
   * or message loss is never answered: time out and retry.
   *
   * @throws ProposalRejectedException NOT_LEADER if no leader is known
   */
  public void readIndex(long requestId) {
    raft.readIndex(requestId);
  }

  /**
   * Hands leadership to {@code target}, which campaigns as soon as its log is caught up.
   * Proposals are refused while the transfer runs; it is abandoned after an election timeout.
   * A target that is this member or not a voter cancels any transfer in progress.
   *
   * @throws ProposalRejectedException NOT_LEADER on a non-leader
   */
  public void transferLeadership(long target) {
    raft.transferLeadership(target);
  }

  /**
   * Applies a committed membership change; call it while applying the CONF_CHANGE entry that
   * carries it. Returns the resulting membership, which the application persists with its
   * applied state. A change that is invalid for the current configuration is ignored (every
   * member ignores it alike).
   */
  public ConfState applyConfChange(ConfChange cc) {
    return raft.applyConfChange(cc);
  }

  /**
   * Tells the leader how sending a snapshot to {@code peer} ended. The driver must call this for
   * every {@link Message.InstallSnapshot} it was asked to send; until then the leader sends the
   * peer nothing else.
   */
  public void reportSnapshot(long peer, boolean succeeded) {
    raft.reportSnapshot(peer, succeeded);
  }

  /** Tells the leader a message to {@code peer} could not be sent, so it probes again. */
  public void reportUnreachable(long peer) {
    raft.reportUnreachable(peer);
  }

  /** Whether {@link #ready()} would return anything to do. */
  public boolean hasReady() {
    RaftLog log = raft.log;
    return raft.proposalsToBroadcast
        || raft.hasReadsToFlush()
        || raft.lead != prevSoftState.leader()
        || raft.role != prevSoftState.role()
        || raft.term != prevHardState.term()
        || raft.vote != prevHardState.vote()
        || log.committed != prevHardState.commit()
        || !log.unstable().entries().isEmpty()
        || log.unstable().snapshot() != null
        || !raft.msgs.isEmpty()
        || !raft.msgsAfterPersist.isEmpty()
        || !raft.readStates.isEmpty()
        || log.hasNextCommittedEntries();
  }

  /**
   * Collects everything to persist, send and apply. Call {@link #advance(Ready)} with the
   * result before calling this again; other inputs may be given in between.
   */
  public Ready ready() {
    if (readyOutstanding) {
      throw new IllegalStateException("ready() called again before advance()");
    }
    if (raft.proposalsToBroadcast) {
      raft.proposalsToBroadcast = false;
      raft.bcastAppend();
    }
    raft.flushReads();
    RaftLog log = raft.log;
    SoftState soft = softState();
    HardState hard = hardState();
    List<Entry> entries = List.copyOf(log.unstable().entries());
    Snapshot snapshot = log.unstable().snapshot();
    boolean mustSync = !entries.isEmpty() || snapshot != null
        || hard.term() != prevHardState.term() || hard.vote() != prevHardState.vote();
    Ready rd = new Ready(
        soft.equals(prevSoftState) ? null : soft,
        hard.equals(prevHardState) ? null : hard,
        entries,
        snapshot,
        log.nextCommittedEntries(),
        drain(raft.msgs),
        drain(raft.msgsAfterPersist),
        drain(raft.readStates),
        mustSync);
    readyOutstanding = true;
    return rd;
  }

  /**
   * Acknowledges that {@code rd} was persisted, sent and applied as {@link Ready} describes.
   */
  public void advance(Ready rd) {
    readyOutstanding = false;
    if (rd.softState() != null) {
      prevSoftState = rd.softState();
    }
    if (rd.hardState() != null) {
      prevHardState = rd.hardState();
    }
    RaftLog log = raft.log;
    if (rd.snapshot() != null) {
      log.unstable().stableSnapTo(rd.snapshot().index());
      log.appliedTo(rd.snapshot().index());
    }
    if (!rd.entries().isEmpty()) {
      Entry last = rd.entries().get(rd.entries().size() - 1);
      log.unstable().stableTo(last.index(), last.term());
      raft.selfPersisted(log.stableIndex());
    }
    if (!rd.committedEntries().isEmpty()) {
      log.appliedTo(rd.lastCommittedIndex());
      raft.reduceUncommitted(rd.committedEntries());
    }
    raft.maybeAutoLeaveJoint();
    raft.afterApplied();
  }

  private SoftState softState() {
    return new SoftState(raft.lead, raft.role);
  }

  private HardState hardState() {
    return new HardState(raft.term, raft.vote, raft.log.committed);
  }

  /** Moves the contents out as an immutable list (which Ready keeps without copying again). */
  private static <T> List<T> drain(List<T> list) {
    if (list.isEmpty()) {
      return List.of();
    }
    List<T> out = List.copyOf(list);
    list.clear();
    return out;
  }
}
