package io.flotilla.raft;

import static io.flotilla.raft.RaftNode.NONE;

import io.flotilla.raft.Message.Append;
import io.flotilla.raft.Message.AppendResponse;
import io.flotilla.raft.Message.Heartbeat;
import io.flotilla.raft.Message.HeartbeatResponse;
import io.flotilla.raft.Message.InstallSnapshot;
import io.flotilla.raft.Message.ReadIndex;
import io.flotilla.raft.Message.ReadIndexResponse;
import io.flotilla.raft.Message.TimeoutNow;
import io.flotilla.raft.Message.Vote;
import io.flotilla.raft.Message.VoteResponse;
import io.flotilla.raft.ProposalRejectedException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The protocol of one member. Every transition between roles goes through the four
 * {@code become*} methods; {@link #step} applies the term rules shared by all roles once, then
 * dispatches to {@link #stepLeader}, {@link #stepCandidate} or {@link #stepFollower}.
 *
 * <p>Transitions: follower -> pre-candidate (election timeout, PreVote on) -> candidate (pre-vote
 * won) -> leader (vote won); follower -> candidate (timeout with PreVote off, or TimeoutNow);
 * any role -> follower (a higher term, a lost election, a leader that loses its quorum
 * (CheckQuorum), or a leader removed from the configuration).
 */
final class Raft {
  final long id;
  final RaftConfig cfg;
  final RaftLog log;
  final ProgressTracker tracker;
  private final Set<PlantedBug> bugs;

  long term;
  long vote;
  long lead = NONE;
  Role role = Role.FOLLOWER;

  final List<Message> msgs = new ArrayList<>();
  final List<Message> msgsAfterPersist = new ArrayList<>();
  final List<ReadState> readStates = new ArrayList<>();

  private int electionElapsed;
  private int heartbeatElapsed;
  private int randomizedElectionTimeout;
  long leadTransferee = NONE;
  /** Index of the latest conf change that may still be unapplied; one at a time. */
  private long pendingConfIndex;
  private long uncommittedBytes;
  private final ReadRounds reads = new ReadRounds();
  /** Reads that arrived before this leader committed an entry of its own term. */
  private final List<long[]> readsAwaitingCommit = new ArrayList<>();
  /** Proposals appended since the last Ready; broadcast once per Ready to batch them. */
  boolean proposalsToBroadcast;
  /**
   * Ticks left in which a TimeoutNow that arrived while a conf change was unapplied is still
   * honoured once the change is applied; the leader gives up a transfer after an election
   * timeout, and so do we.
   */
  private int deferredTransferTicks;

  Raft(RaftConfig cfg, Storage storage) {
    this.id = cfg.id();
    this.cfg = cfg;
    this.bugs = cfg.plantedBugs();
    Storage.InitialState st = storage.initialState();
    this.log = new RaftLog(storage, cfg.maxCommittedBytesPerReady());
    this.tracker = new ProgressTracker(cfg.maxInflightMessages(), st.confState(),
        log.lastIndex());
    HardState hs = st.hardState();
    if (!hs.isEmpty()) {
      if (hs.commit() > log.lastIndex()) {
        throw new IllegalStateException("persisted commit " + hs.commit()
            + " is beyond the persisted log, which ends at " + log.lastIndex());
      }
      // A snapshot persisted without its hard state still commits everything it covers.
      log.committed = Math.max(hs.commit(), log.committed);
      term = hs.term();
      vote = hs.vote();
    }
    if (cfg.applied() > 0) {
      if (cfg.applied() > log.committed) {
        throw new IllegalArgumentException("applied index " + cfg.applied()
            + " is beyond the persisted commit index " + log.committed);
      }
      log.appliedTo(cfg.applied());
    }
    becomeFollower(term, NONE);
  }

  boolean isLearner() {
    return tracker.config().learners().contains(id);
  }

  /** Only a voter of the current configuration may campaign. */
  boolean promotable() {
    return tracker.isVoter(id) && !isLearner();
  }

  // ---------------------------------------------------------------- role transitions

  void becomeFollower(long newTerm, long leader) {
    reset(newTerm);
    lead = leader;
    role = Role.FOLLOWER;
  }

  private void becomePreCandidate() {
    // The term stays: a pre-candidate that loses leaves no trace on anyone.
    tracker.resetVotes();
    lead = NONE;
    role = Role.PRE_CANDIDATE;
  }

  private void becomeCandidate() {
    reset(term + 1);
    vote = id;
    role = Role.CANDIDATE;
  }

  private void becomeLeader() {
    reset(term);
    lead = id;
    role = Role.LEADER;
    Progress self = tracker.get(id);
    self.match = log.stableIndex();
    self.becomeReplicate();
    // Any conf change in the inherited log may be unapplied: wait for it before another.
    pendingConfIndex = log.lastIndex();
    appendEntries(List.of(new Entry(term, 0, EntryType.NORMAL, null)));
    bcastAppend();
  }

  private void reset(long newTerm) {
    if (term != newTerm) {
      term = newTerm;
      vote = NONE;
    }
    lead = NONE;
    electionElapsed = 0;
    heartbeatElapsed = 0;
    randomizedElectionTimeout =
        cfg.electionTicks() + cfg.random().nextInt(cfg.electionTicks());
    leadTransferee = NONE;
    tracker.resetVotes();
    long last = log.lastIndex();
    for (Map.Entry<Long, Progress> e : tracker.progress().entrySet()) {
      Progress p = new Progress(last + 1, cfg.maxInflightMessages(), e.getValue().learner);
      e.setValue(p);
    }
    pendingConfIndex = 0;
    uncommittedBytes = 0;
    reads.reset();
    readsAwaitingCommit.clear();
    proposalsToBroadcast = false;
    deferredTransferTicks = 0;
  }

  // ---------------------------------------------------------------- time

  void tick() {
    if (role == Role.LEADER) {
      tickLeader();
    } else {
      if (deferredTransferTicks > 0) {
        deferredTransferTicks--;
      }
      electionElapsed++;
      if (promotable() && electionElapsed >= randomizedElectionTimeout) {
        electionElapsed = 0;
        hup(false);
      }
    }
  }

  private void tickLeader() {
    heartbeatElapsed++;
    electionElapsed++;
    if (electionElapsed >= cfg.electionTicks()) {
      electionElapsed = 0;
      if (cfg.checkQuorum()) {
        if (!tracker.quorumActive(id)) {
          becomeFollower(term, NONE);
          return;
        }
        tracker.resetRecentActive(id);
      }
      // A transfer that did not finish within an election timeout is abandoned.
      leadTransferee = NONE;
    }
    if (heartbeatElapsed >= cfg.heartbeatTicks()) {
      heartbeatElapsed = 0;
      bcastHeartbeat(reads.currentRound());
    }
  }

  /**
   * The driver resumes ticking after the group was quiet. The silence was agreed, not lost
   * contact: restart the election-timeout count, and as leader count every member as recently
   * heard from, so that CheckQuorum does not step down on the first tick.
   */
  void unquiesce() {
    electionElapsed = 0;
    if (role == Role.LEADER) {
      for (Progress p : tracker.progress().values()) {
        p.recentActive = true;
      }
    }
  }

  // ---------------------------------------------------------------- elections

  /** Starts an election: with a pre-vote first, unless disabled or forced by a transfer. */
  void hup(boolean transfer) {
    if (role == Role.LEADER || !promotable()) {
      return;
    }
    if (hasUnappliedConfChange()) {
      // Campaigning under a configuration that is about to change could elect a leader the
      // new configuration does not back. A transfer (e.g. from a leader that removed itself)
      // is not dropped, only deferred until the change is applied.
      if (transfer) {
        deferredTransferTicks = cfg.electionTicks();
      }
      return;
    }
    campaign(cfg.preVote() && !transfer, transfer);
  }

  /** Runs a campaign deferred by {@link #hup}, once the application has caught up. */
  void afterApplied() {
    if (deferredTransferTicks > 0 && !hasUnappliedConfChange()) {
      deferredTransferTicks = 0;
      hup(true);
    }
  }

  private boolean hasUnappliedConfChange() {
    if (log.committed <= log.applied) {
      return false;
    }
    for (Entry e : log.slice(log.applied + 1, log.committed + 1, Long.MAX_VALUE)) {
      if (e.type() == EntryType.CONF_CHANGE) {
        return true;
      }
    }
    return false;
  }

  private void campaign(boolean pre, boolean transfer) {
    long voteTerm;
    if (pre) {
      becomePreCandidate();
      voteTerm = term + 1;
    } else {
      becomeCandidate();
      voteTerm = term;
    }
    if (tracker.recordVote(id, true) == VoteResult.WON) {
      if (pre) {
        campaign(false, transfer);
      } else {
        becomeLeader();
      }
      return;
    }
    long lastIndex = log.lastIndex();
    long lastTerm = log.lastTerm();
    for (long voter : tracker.config().voters().ids()) {
      if (voter != id) {
        send(new Vote(id, voter, voteTerm, lastIndex, lastTerm, pre, transfer));
      }
    }
  }

  private void handleVote(Vote v) {
    boolean canVote = vote == v.from()
        || (vote == NONE && lead == NONE)
        || (v.pre() && v.term() > term);
    boolean upToDate = bugs.contains(PlantedBug.VOTE_WITHOUT_LOG_CHECK)
        || log.isUpToDate(v.lastIndex(), v.lastTerm());
    if (canVote && upToDate) {
      send(new VoteResponse(id, v.from(), v.term(), v.pre(), false));
      if (!v.pre()) {
        electionElapsed = 0;
        vote = v.from();
      }
    } else {
      send(new VoteResponse(id, v.from(), term, v.pre(), true));
    }
  }

  // ---------------------------------------------------------------- step

  void step(Message m) {
    if (m.term() > term) {
      if (m instanceof Vote v && !v.transfer() && inLease()) {
        // A member that hears from a live leader ignores disruptive campaigns (e.g. from a
        // partitioned member rejoining) until it has not heard from that leader for a timeout.
        return;
      }
      if (m instanceof Vote v && v.pre()) {
        // Pre-votes never change our term.
      } else if (m instanceof VoteResponse r && r.pre() && !r.rejected()) {
        // A granted pre-vote carries the future term; we raise ours only when we campaign.
      } else if (m instanceof Append || m instanceof Heartbeat || m instanceof InstallSnapshot) {
        becomeFollower(m.term(), m.from());
      } else {
        becomeFollower(m.term(), NONE);
      }
    } else if (m.term() < term) {
      if ((cfg.checkQuorum() || cfg.preVote())
          && (m instanceof Append || m instanceof Heartbeat)) {
        // A stale leader (e.g. back from a partition) learns of the newer term from this and
        // steps down; otherwise, with PreVote/CheckQuorum, nothing would ever tell it.
        send(new AppendResponse(id, m.from(), term, 0, false, 0, 0));
      } else if (m instanceof Vote v && v.pre()) {
        send(new VoteResponse(id, m.from(), term, true, true));
      }
      return;
    }
    if (m instanceof Vote v) {
      handleVote(v);
      return;
    }
    switch (role) {
      case LEADER -> stepLeader(m);
      case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
      case FOLLOWER -> stepFollower(m);
    }
  }

  private boolean inLease() {
    return cfg.checkQuorum() && lead != NONE && electionElapsed < cfg.electionTicks();
  }

  private void stepLeader(Message m) {
    Progress pr = tracker.get(m.from());
    switch (m) {
      case AppendResponse r when pr != null -> {
        pr.recentActive = true;
        if (r.rejected()) {
          handleAppendRejection(r, pr);
        } else {
          handleAppendSuccess(r, pr);
        }
      }
      case HeartbeatResponse r when pr != null -> {
        pr.recentActive = true;
        pr.probeSent = false;
        if (pr.state == Progress.State.REPLICATE && pr.inflights.full()) {
          // The follower is alive but the window stayed full: acks were lost. Probe again
          // rather than stall for good.
          pr.becomeProbe();
        }
        if (pr.match < log.lastIndex()) {
          sendAppend(m.from(), true);
        }
        if (tracker.isVoter(m.from())) {
          for (ReadRounds.Pending p : reads.ack(m.from(), r.readRound(), id,
              tracker.config().voters())) {
            releaseRead(p.from(), p.requestId(), p.index());
          }
        }
      }
      case ReadIndex ri -> handleReadIndex(ri.from(), ri.requestId());
      default -> {
        // Votes are answered in step; anything else at our own term is stale news.
      }
    }
  }

  private void handleAppendRejection(AppendResponse r, Progress pr) {
    long hint = r.rejectHint();
    if (r.rejectHintTerm() > 0) {
      // Skip every entry of ours whose term is above the follower's term at the hint: none of
      // them can match.
      hint = log.findConflictByTerm(r.rejectHint(), r.rejectHintTerm())[0];
    }
    if (pr.maybeDecrTo(r.index(), hint)) {
      if (pr.state == Progress.State.REPLICATE) {
        pr.becomeProbe();
      }
      sendAppend(r.from(), true);
    }
  }

  private void handleAppendSuccess(AppendResponse r, Progress pr) {
    boolean updated = pr.maybeUpdate(r.index());
    if (!updated && !(pr.match == r.index() && pr.state == Progress.State.PROBE)) {
      return;
    }
    switch (pr.state) {
      case PROBE -> pr.becomeReplicate();
      case SNAPSHOT -> {
        if (pr.match >= pr.pendingSnapshot || pr.match + 1 >= log.firstIndex()) {
          pr.becomeProbe();
          pr.becomeReplicate();
        }
      }
      case REPLICATE -> pr.inflights.freeLE(r.index());
    }
    if (maybeCommit()) {
      bcastAppend();
    }
    while (sendAppend(r.from(), false)) {
      // Keep the window full while there is something to send.
    }
    if (r.from() == leadTransferee && pr.match == log.lastIndex()) {
      send(new TimeoutNow(id, r.from(), term));
    }
  }

  private void stepCandidate(Message m) {
    switch (m) {
      case Append a -> {
        becomeFollower(term, a.from());
        handleAppend(a);
      }
      case Heartbeat h -> {
        becomeFollower(term, h.from());
        handleHeartbeat(h);
      }
      case InstallSnapshot s -> {
        becomeFollower(term, s.from());
        handleSnapshot(s);
      }
      case VoteResponse r when r.pre() == (role == Role.PRE_CANDIDATE) -> {
        switch (tracker.recordVote(r.from(), !r.rejected())) {
          case WON -> {
            if (role == Role.PRE_CANDIDATE) {
              campaign(false, false);
            } else {
              becomeLeader();
            }
          }
          case LOST -> becomeFollower(term, NONE);
          case PENDING -> { }
        }
      }
      default -> { }
    }
  }

  private void stepFollower(Message m) {
    switch (m) {
      case Append a -> {
        electionElapsed = 0;
        lead = a.from();
        handleAppend(a);
      }
      case Heartbeat h -> {
        electionElapsed = 0;
        lead = h.from();
        handleHeartbeat(h);
      }
      case InstallSnapshot s -> {
        electionElapsed = 0;
        lead = s.from();
        handleSnapshot(s);
      }
      case TimeoutNow t -> hup(true);
      case ReadIndexResponse r -> readStates.add(new ReadState(r.requestId(), r.index()));
      default -> { }
    }
  }

  // ---------------------------------------------------------------- follower handlers

  private void handleAppend(Append a) {
    if (a.prevIndex() < log.committed) {
      send(new AppendResponse(id, a.from(), term, log.committed, false, 0, 0));
      return;
    }
    long lastNew = log.maybeAppend(a.prevIndex(), a.prevTerm(), a.commit(), a.entries(),
        bugs.contains(PlantedBug.NO_CONFLICT_TRUNCATION));
    if (lastNew >= 0) {
      send(new AppendResponse(id, a.from(), term, lastNew, false, 0, 0));
      return;
    }
    long[] hint = log.findConflictByTerm(Math.min(a.prevIndex(), log.lastIndex()), a.prevTerm());
    send(new AppendResponse(id, a.from(), term, a.prevIndex(), true, hint[0], hint[1]));
  }

  private void handleHeartbeat(Heartbeat h) {
    log.commitTo(h.commit());
    send(new HeartbeatResponse(id, h.from(), term, h.readRound()));
  }

  private void handleSnapshot(InstallSnapshot s) {
    Snapshot snap = s.snapshot();
    if (restore(snap)) {
      send(new AppendResponse(id, s.from(), term, log.lastIndex(), false, 0, 0));
    } else {
      send(new AppendResponse(id, s.from(), term, log.committed, false, 0, 0));
    }
  }

  private boolean restore(Snapshot snap) {
    if (snap.index() <= log.committed) {
      return false;
    }
    if (log.matchTerm(snap.index(), snap.term())) {
      // We already hold the snapshot's last entry, so our log up to it matches: just commit.
      log.commitTo(snap.index());
      return false;
    }
    log.restore(snap);
    tracker.restore(snap.metadata().confState(), log.lastIndex());
    return true;
  }

  // ---------------------------------------------------------------- leader: replication

  void appendEntries(List<Entry> ents) {
    long li = log.lastIndex();
    List<Entry> placed = new ArrayList<>(ents.size());
    for (int i = 0; i < ents.size(); i++) {
      placed.add(ents.get(i).withPosition(term, li + 1 + i));
    }
    log.append(placed);
    // The leader counts itself only once the entries are durable: see RaftNode.advance.
  }

  void bcastAppend() {
    for (long peer : tracker.progress().keySet()) {
      if (peer != id) {
        sendAppend(peer, true);
      }
    }
  }

  /**
   * Sends the entries {@code peer} lacks (or a snapshot if they are compacted). Returns whether
   * a message was sent; an empty append is sent only if {@code sendIfEmpty}.
   */
  boolean sendAppend(long peer, boolean sendIfEmpty) {
    Progress pr = tracker.get(peer);
    if (pr == null || pr.isPaused()) {
      return false;
    }
    long prevIndex = pr.next - 1;
    long prevTerm = log.termOrZero(prevIndex);
    List<Entry> ents = null;
    if (!log.isCompacted(prevIndex) && (prevTerm != 0 || prevIndex == 0)) {
      try {
        ents = log.slice(pr.next, log.lastIndex() + 1, cfg.maxMessageBytes());
      } catch (Storage.CompactedException e) {
        ents = null;
      }
    }
    if (ents == null) {
      return sendSnapshot(peer, pr);
    }
    if (ents.isEmpty() && !sendIfEmpty && !canBumpCommit(pr)) {
      return false;
    }
    send(new Append(id, peer, term, prevIndex, prevTerm, ents, log.committed));
    pr.sentCommit = log.committed;
    pr.sentEntries(ents.size(), ents.isEmpty() ? prevIndex : ents.get(ents.size() - 1).index());
    return true;
  }

  /**
   * Whether {@code pr}'s member may not know the commit index yet although it holds entries
   * to which it applies, e.g. because it was paused when the commit advanced.
   */
  private boolean canBumpCommit(Progress pr) {
    return log.committed > pr.sentCommit && pr.sentCommit < pr.next - 1;
  }

  private boolean sendSnapshot(long peer, Progress pr) {
    if (!pr.recentActive) {
      return false;
    }
    Snapshot snap;
    try {
      snap = log.snapshot();
    } catch (Storage.SnapshotUnavailableException e) {
      return false;
    }
    if (snap.isEmpty()) {
      throw new IllegalStateException("need a snapshot for " + peer + " but have none");
    }
    pr.becomeSnapshot(snap.index());
    send(new InstallSnapshot(id, peer, term, snap));
    return true;
  }

  void bcastHeartbeat(long readRound) {
    for (Map.Entry<Long, Progress> e : tracker.progress().entrySet()) {
      if (e.getKey() != id) {
        // Never tell a follower to commit past what it is known to hold.
        long commit = Math.min(e.getValue().match, log.committed);
        send(new Heartbeat(id, e.getKey(), term, commit, readRound));
      }
    }
  }

  /** Advances the commit index to what a quorum holds, subject to the current-term rule. */
  boolean maybeCommit() {
    long quorumIndex = tracker.committedIndex();
    boolean committed;
    if (bugs.contains(PlantedBug.COMMIT_PREVIOUS_TERM_BY_COUNTING)) {
      committed = quorumIndex > log.committed && quorumIndex <= log.lastIndex();
      if (committed) {
        log.commitTo(quorumIndex);
      }
    } else {
      committed = log.maybeCommit(Math.min(quorumIndex, log.lastIndex()), term);
    }
    if (committed && committedInCurrentTerm() && !readsAwaitingCommit.isEmpty()) {
      List<long[]> waiting = new ArrayList<>(readsAwaitingCommit);
      readsAwaitingCommit.clear();
      for (long[] r : waiting) {
        handleReadIndex(r[0], r[1]);
      }
    }
    return committed;
  }

  private boolean committedInCurrentTerm() {
    return log.termOrZero(log.committed) == term;
  }

  /** The leader has durably appended up to {@code index} itself. */
  void selfPersisted(long index) {
    Progress self = tracker.get(id);
    if (role == Role.LEADER && self != null && self.maybeUpdate(index) && maybeCommit()) {
      bcastAppend();
    }
  }

  // ---------------------------------------------------------------- leader: requests

  ProposalId propose(Entry entry) {
    if (role != Role.LEADER) {
      throw new ProposalRejectedException(Reason.NOT_LEADER, lead, "member " + id
          + " is " + role.name().toLowerCase(java.util.Locale.ROOT));
    }
    if (leadTransferee != NONE) {
      throw new ProposalRejectedException(Reason.TRANSFERRING_LEADERSHIP, NONE,
          "transferring to " + leadTransferee);
    }
    long size = entry.data().length;
    if (uncommittedBytes > 0 && uncommittedBytes + size > cfg.maxUncommittedBytes()) {
      throw new ProposalRejectedException(Reason.TOO_MUCH_UNCOMMITTED, id,
          uncommittedBytes + " uncommitted bytes");
    }
    if (entry.type() == EntryType.CONF_CHANGE) {
      checkConfChange(ConfChange.decode(entry.data()));
    }
    appendEntries(List.of(entry));
    uncommittedBytes += size;
    long index = log.lastIndex();
    if (entry.type() == EntryType.CONF_CHANGE) {
      pendingConfIndex = index;
    }
    proposalsToBroadcast = true;
    return new ProposalId(term, index);
  }

  private void checkConfChange(ConfChange cc) {
    if (pendingConfIndex > log.applied) {
      throw new ProposalRejectedException(Reason.CONF_CHANGE_PENDING, id,
          "conf change at " + pendingConfIndex + " is not applied yet (applied "
              + log.applied + ")");
    }
    boolean joint = tracker.config().isJoint();
    if (joint && !cc.isLeaveJoint()) {
      throw new ProposalRejectedException(Reason.INVALID_CONF_CHANGE, id,
          "must leave the joint configuration first");
    }
    if (!joint && cc.isLeaveJoint()) {
      throw new ProposalRejectedException(Reason.INVALID_CONF_CHANGE, id,
          "not in a joint configuration");
    }
    try {
      new Changer(tracker, log.lastIndex()).apply(cc);
    } catch (IllegalArgumentException e) {
      throw new ProposalRejectedException(Reason.INVALID_CONF_CHANGE, id, e.getMessage());
    }
  }

  void readIndex(long requestId) {
    if (role == Role.LEADER) {
      handleReadIndex(id, requestId);
    } else if (lead == NONE) {
      throw new ProposalRejectedException(Reason.NOT_LEADER, NONE, "no leader known");
    } else {
      send(new ReadIndex(id, lead, term, requestId));
    }
  }

  private void handleReadIndex(long from, long requestId) {
    if (tracker.isSingleton(id) && committedInCurrentTerm()) {
      releaseRead(from, requestId, log.committed);
    } else if (!committedInCurrentTerm()) {
      // Until an entry of this term commits, our commit index may lag what earlier leaders
      // committed: a read at it could miss acknowledged writes.
      readsAwaitingCommit.add(new long[] {from, requestId});
    } else {
      reads.add(from, requestId, log.committed);
    }
  }

  private void releaseRead(long from, long requestId, long index) {
    if (from == id) {
      readStates.add(new ReadState(requestId, index));
    } else {
      send(new ReadIndexResponse(id, from, term, requestId, index));
    }
  }

  /** Broadcasts a heartbeat round if reads arrived since the last one. */
  void flushReads() {
    if (role == Role.LEADER && reads.needsBroadcast()) {
      bcastHeartbeat(reads.startRound());
    }
  }

  boolean hasReadsToFlush() {
    return role == Role.LEADER && reads.needsBroadcast();
  }

  void transferLeadership(long target) {
    if (role != Role.LEADER) {
      throw new ProposalRejectedException(Reason.NOT_LEADER, lead, "cannot transfer");
    }
    if (target == id || !tracker.isVoter(target) || tracker.get(target) == null) {
      leadTransferee = NONE;
      return;
    }
    if (leadTransferee == target) {
      return;
    }
    leadTransferee = target;
    electionElapsed = 0;
    if (tracker.get(target).match == log.lastIndex()) {
      send(new TimeoutNow(id, target, term));
    } else {
      sendAppend(target, true);
    }
  }

  // ---------------------------------------------------------------- membership

  ConfState applyConfChange(ConfChange cc) {
    Changer changer;
    try {
      changer = new Changer(tracker, log.lastIndex()).apply(cc);
    } catch (IllegalArgumentException e) {
      // Every member applies the same log from the same configuration, so every member
      // refuses the same change the same way: it is a no-op.
      return tracker.config().toConfState();
    }
    tracker.apply(changer.config(), changer.progress());
    if (role == Role.LEADER) {
      afterLeaderConfChange();
    }
    return tracker.config().toConfState();
  }

  private void afterLeaderConfChange() {
    if (!tracker.isVoter(id)) {
      // Removed (or demoted): hand leadership to the most caught-up voter, then step aside.
      // It may lack our newest (uncommitted) entries; an election is safe either way and
      // saves the group an election timeout.
      long best = NONE;
      long bestMatch = -1;
      for (long voter : tracker.config().voters().ids()) {
        Progress p = tracker.get(voter);
        if (p != null && p.match > bestMatch) {
          best = voter;
          bestMatch = p.match;
        }
      }
      if (best != NONE) {
        send(new TimeoutNow(id, best, term));
      }
      becomeFollower(term, NONE);
      return;
    }
    if (leadTransferee != NONE && !tracker.isVoter(leadTransferee)) {
      leadTransferee = NONE;
    }
    if (maybeCommit()) {
      bcastAppend();
    } else {
      for (long peer : tracker.progress().keySet()) {
        if (peer != id) {
          sendAppend(peer, false);
        }
      }
    }
  }

  /** Proposes leaving a joint configuration once entering it is applied, if it asked to. */
  void maybeAutoLeaveJoint() {
    TrackerConfig c = tracker.config();
    if (role == Role.LEADER && c.isJoint() && c.autoLeave() && pendingConfIndex <= log.applied
        && leadTransferee == NONE) {
      ConfChange leave = ConfChange.leaveJoint();
      appendEntries(List.of(new Entry(term, 0, EntryType.CONF_CHANGE, leave.encode())));
      pendingConfIndex = log.lastIndex();
      proposalsToBroadcast = true;
    }
  }

  void reduceUncommitted(List<Entry> applied) {
    for (Entry e : applied) {
      uncommittedBytes -= e.data().length;
    }
    if (uncommittedBytes < 0) {
      uncommittedBytes = 0;
    }
  }

  void reportUnreachable(long peer) {
    Progress pr = tracker.get(peer);
    if (role == Role.LEADER && pr != null && pr.state == Progress.State.REPLICATE) {
      pr.becomeProbe();
    }
  }

  void reportSnapshot(long peer, boolean succeeded) {
    Progress pr = tracker.get(peer);
    if (role != Role.LEADER || pr == null || pr.state != Progress.State.SNAPSHOT) {
      return;
    }
    if (!succeeded) {
      pr.pendingSnapshot = 0;
    }
    pr.becomeProbe();
    if (!succeeded) {
      // Probe from our last index again rather than where the member's last refusal left us:
      // its log may have grown without us. A split's right half that our messages reached
      // first refused them with an empty log, then the split gave it the half's log start;
      // probing below that start again would ask for one snapshot after another, and while
      // snapshots fail the member would never be caught up by the appends it can take.
      pr.next = Math.max(pr.match + 1, log.lastIndex() + 1);
    }
    // Wait for the follower's answer (or a heartbeat) before probing again.
    pr.probeSent = true;
  }

  // ---------------------------------------------------------------- output

  private void send(Message m) {
    boolean afterPersist = switch (m) {
      case Vote v -> !v.pre();
      case VoteResponse r -> !r.pre();
      case AppendResponse r -> true;
      case HeartbeatResponse r -> true;
      default -> false;
    };
    (afterPersist ? msgsAfterPersist : msgs).add(m);
  }
}
