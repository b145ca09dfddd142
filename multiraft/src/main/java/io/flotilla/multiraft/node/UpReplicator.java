package io.flotilla.multiraft.node;

import io.flotilla.multiraft.runtime.ApplyResult;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Brings every range this node leads up to {@code min(replicationFactor, live nodes)} voters: a
 * live node that holds no replica is added as a learner, and promoted to voter once its match
 * reaches the leader's commit index, so it never counts towards a quorum before it has the log.
 * A learner whose node stopped answering is removed so that another node can take its place.
 *
 * <p>A stop-gap until the placement driver (issue #5) schedules replicas cluster-wide: it sees
 * only this node's ranges and liveness, never removes voters and never rebalances. A range that
 * has its voters is left alone, learners included: they belong to a move (the placement
 * driver's or an operator's), which it must not fight. The decision
 * ({@link #decide}) is a pure function; {@link #run} applies it, one membership change in flight
 * per range, and logs every change with its reason on one line.
 */
final class UpReplicator {
  /** What to do about one range. */
  sealed interface Decision {
    long rangeId();

    String reason();

    /** The change to propose, or null for {@link Wait}. */
    ConfChange change();
  }

  record AddLearner(long rangeId, long node, String reason) implements Decision {
    @Override
    public ConfChange change() {
      return ConfChange.addLearner(node);
    }
  }

  record Promote(long rangeId, long node, String reason) implements Decision {
    @Override
    public ConfChange change() {
      return ConfChange.addVoter(node);
    }
  }

  record RemoveLearner(long rangeId, long node, String reason) implements Decision {
    @Override
    public ConfChange change() {
      return ConfChange.remove(node);
    }
  }

  /**
   * Nothing to propose now, and why (a learner still catching up, a joint config); {@code
   * topic} names the situation without its changing numbers, so it is logged once.
   */
  record Wait(long rangeId, String topic, String reason) implements Decision {
    @Override
    public ConfChange change() {
      return null;
    }
  }

  /**
   * What to do about {@code range}, seen from node {@code self}; empty when this node does not
   * lead it or it has all the voters it should.
   *
   * @param live the nodes that count as live, {@code self} included
   */
  static Optional<Decision> decide(long self, RangeInfo range, Set<Long> live,
      int replicationFactor) {
    if (range.leader() != self || range.match().isEmpty()) {
      return Optional.empty();
    }
    long id = range.descriptor().rangeId();
    ConfState members = range.descriptor().members();
    if (members.isJoint()) {
      return Optional.of(new Wait(id, "joint", "in a joint configuration"));
    }
    int target = Math.min(replicationFactor, live.size());
    int voters = members.voters().size();
    if (voters >= target) {
      return Optional.empty();
    }
    // Below the target only: a learner of a range with enough voters belongs to someone else's
    // move (the placement driver's, an operator's), which must not be fought.
    for (long learner : new TreeSet<>(members.learners())) {
      if (!live.contains(learner)) {
        return Optional.of(new RemoveLearner(id, learner, "learner n" + learner
            + " is not live; removed so that a live node can take its place"));
      }
      long match = range.match().getOrDefault(learner, 0L);
      if (match >= range.commit()) {
        return Optional.of(new Promote(id, learner, "learner n" + learner + " caught up (match "
            + match + " >= commit " + range.commit() + ")"));
      }
      return Optional.of(new Wait(id, "learner " + learner, "learner n" + learner
          + " catching up (match " + match + " of commit " + range.commit() + ")"));
    }
    List<Long> candidates = new ArrayList<>();
    for (long n : live) {
      if (!members.voters().contains(n) && !members.learners().contains(n)) {
        candidates.add(n);
      }
    }
    if (candidates.isEmpty()) {
      return Optional.of(new Wait(id, "no candidate", "wants " + target + " voters but every"
          + " live node is a member"));
    }
    candidates.sort(null);
    // Spread ranges over the candidates rather than piling every one on the lowest id.
    long pick = candidates.get((int) Math.floorMod(id, (long) candidates.size()));
    return Optional.of(new AddLearner(id, pick, "has " + voters + " of " + target
        + " voters (min of replication factor " + replicationFactor + " and " + live.size()
        + " live nodes); n" + pick + " is live and holds no replica"));
  }

  /** A proposal made and the membership it was made from: wait until that changes. */
  private record InFlight(byte[] membersBefore, long sinceMillis,
      CompletableFuture<ApplyResult> result) {}

  /** How long a finished change may take to show up in the published ranges. */
  private static final long SETTLE_MILLIS = 10_000;

  private final long self;
  private final int replicationFactor;
  private final BiFunction<Long, ConfChange, CompletableFuture<ApplyResult>> changeMembers;
  private final Consumer<String> log;
  private final LongSupplier clockMillis;
  private final Map<Long, InFlight> inFlight = new HashMap<>();
  private final Map<Long, String> lastWait = new HashMap<>();

  /**
   * @param changeMembers proposes a membership change on a range this node leads (normally
   *     {@code StoreRuntime::changeMembers})
   * @param log receives one line per decision
   */
  UpReplicator(long self, int replicationFactor,
      BiFunction<Long, ConfChange, CompletableFuture<ApplyResult>> changeMembers,
      Consumer<String> log, LongSupplier clockMillis) {
    this.self = self;
    this.replicationFactor = replicationFactor;
    this.changeMembers = changeMembers;
    this.log = log;
    this.clockMillis = clockMillis;
  }

  /** One round over this node's ranges; returns the changes proposed. Not thread-safe. */
  List<Decision> run(List<RangeInfo> ranges, Set<Long> live) {
    List<Decision> proposed = new ArrayList<>();
    long now = clockMillis.getAsLong();
    for (RangeInfo range : ranges) {
      long id = range.descriptor().rangeId();
      InFlight f = inFlight.get(id);
      if (f != null) {
        boolean settled = !java.util.Arrays.equals(f.membersBefore(),
            range.descriptor().members().encode())
            || now - f.sinceMillis() > SETTLE_MILLIS
            || f.result().isCompletedExceptionally();
        if (!settled) {
          continue;
        }
        inFlight.remove(id);
      }
      Optional<Decision> d = decide(self, range, live, replicationFactor);
      if (d.isEmpty()) {
        lastWait.remove(id);
        continue;
      }
      Decision decision = d.get();
      if (decision instanceof Wait w) {
        if (!w.topic().equals(lastWait.put(id, w.topic()))) {
          log.accept("up-replication: range " + id + ": waiting: " + w.reason());
        }
        continue;
      }
      lastWait.remove(id);
      log.accept("up-replication: range " + id + ": " + describe(decision) + ": "
          + decision.reason());
      CompletableFuture<ApplyResult> result = changeMembers.apply(id, decision.change());
      result.whenComplete((r, e) -> {
        if (e != null) {
          log.accept("up-replication: range " + id + ": " + describe(decision) + " failed: "
              + e.getMessage());
        }
      });
      inFlight.put(id, new InFlight(range.descriptor().members().encode(), now, result));
      proposed.add(decision);
    }
    if (!inFlight.isEmpty()) {
      inFlight.keySet().retainAll(ranges.stream().map(r -> r.descriptor().rangeId()).toList());
    }
    return proposed;
  }

  private static String describe(Decision d) {
    return switch (d) {
      case AddLearner a -> "add learner n" + a.node();
      case Promote p -> "promote n" + p.node() + " to voter";
      case RemoveLearner r -> "remove learner n" + r.node();
      case Wait w -> "wait";
    };
  }
}
