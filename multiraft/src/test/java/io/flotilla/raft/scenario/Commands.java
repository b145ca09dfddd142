package io.flotilla.raft.scenario;

import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfChange.Change;
import io.flotilla.raft.ConfChange.ChangeType;
import io.flotilla.raft.ConfChange.Transition;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Maps each scenario command onto {@link ScenarioEnv}: argument parsing lives here so the env
 * only sees typed calls. Every command's output is the env's printout, or {@code ok} if it
 * printed nothing (datadriven needs a non-empty block to tell "no output" from "not run").
 *
 * <pre>
 * add-nodes N [voters=(1,2,3)] [learners=(4)] [prevote=false] [checkquorum=false]
 *             [election=10] [heartbeat=1] [max-msg-bytes=1048576] [max-inflight=256]
 *             [index=1] [seed=0]        members numbered after the existing ones; voters
 *                                       default to the new members. They start from the
 *                                       bootstrap snapshot at 1 (term 1, committed), or with
 *                                       index=N from a snapshot at N (term 1). voters=() and
 *                                       no learners: joiners with empty storage, which learn
 *                                       the membership from the leader's snapshot
 * campaign ID | tick ID [n] | tick-heartbeat ID
 * tick-election ID                      follower: until its election fires (at most 2 x
 *                                       election ticks); leader: election ticks (one
 *                                       CheckQuorum check)
 * process-ready ID...|all               persist, queue messages, apply, advance
 * deliver-msgs ID...|all [drop=(..)] [type=Append]
 * stabilize                             process-ready all + deliver-msgs all until quiet
 * propose ID data | read-index ID reqid | transfer-leader FROM TO
 * propose-conf-change ID [v4] [l5] [r2] [transition=auto|implicit|explicit]  (none: leave)
 * report-snapshot FROM TO ok|fail | report-unreachable FROM TO
 * compact ID INDEX | crash ID | restart ID
 * partition (1) (2,3) | heal             unlisted members form one more side
 * status ID...|all | raft-log ID...|all  raft-log shows what is persisted, also when down
 * </pre>
 */
final class Commands {
  private Commands() {}

  static List<String> run(ScenarioEnv env, Command c) {
    switch (c.name()) {
      case "add-nodes" -> addNodes(env, c);
      case "campaign" -> env.campaign(c.allowKeys().id(0));
      case "tick" -> env.tick(c.allowKeys().id(0), c.hasWord(1) ? (int) c.id(1) : 1);
      case "tick-election" -> env.tickElection(c.allowKeys().id(0));
      case "tick-heartbeat" -> env.tickHeartbeat(c.allowKeys().id(0));
      case "process-ready" -> env.processReady(targets(env, c.allowKeys()));
      case "deliver-msgs" -> deliver(env, c);
      case "stabilize" -> env.stabilize();
      case "propose" -> env.propose(c.allowKeys().id(0),
          c.word(1).getBytes(StandardCharsets.UTF_8));
      case "propose-conf-change" -> env.proposeConfChange(c.allowKeys("transition").id(0),
          confChange(c));
      case "read-index" -> env.readIndex(c.allowKeys().id(0), c.id(1));
      case "transfer-leader" -> env.transferLeader(c.allowKeys().id(0), c.id(1));
      case "report-snapshot" -> env.reportSnapshot(c.allowKeys().id(0), c.id(1),
          okOrFail(c.word(2)));
      case "report-unreachable" -> env.reportUnreachable(c.allowKeys().id(0), c.id(1));
      case "compact" -> env.compact(c.allowKeys().id(0), c.id(1));
      case "crash" -> env.crash(c.allowKeys().id(0));
      case "restart" -> env.restart(c.allowKeys().id(0));
      case "partition" -> env.partition(groups(c.allowKeys()));
      case "heal" -> env.heal();
      case "status" -> targets(env, c.allowKeys()).forEach(env::status);
      case "raft-log" -> targets(env, c.allowKeys()).forEach(env::raftLog);
      default -> throw new ScenarioException("unknown command " + c.name());
    }
    List<String> out = env.drainOutput();
    return out.isEmpty() ? List.of("ok") : out;
  }

  private static void addNodes(ScenarioEnv env, Command c) {
    c.allowKeys("voters", "learners", "prevote", "checkquorum", "election", "heartbeat",
        "max-msg-bytes", "max-inflight", "index", "seed");
    List<Long> learners = c.ids("learners");
    // PreVote and CheckQuorum are off unless asked for (etcd's convention): each scenario
    // states the features it relies on, and the basic ones show plain Raft.
    env.addNodes((int) c.id(0), new ScenarioEnv.NodeOptions(
        c.ids("voters"),
        learners == null ? List.of() : learners,
        c.bool("prevote", false),
        c.bool("checkquorum", false),
        (int) c.num("election", 10),
        (int) c.num("heartbeat", 1),
        c.num("max-msg-bytes", 1 << 20),
        (int) c.num("max-inflight", 256),
        c.num("index", 1),
        c.num("seed", 0)));
  }

  /** {@code ID...} or {@code all}. */
  private static List<Long> targets(ScenarioEnv env, Command c) {
    if (!c.hasWord(0)) {
      throw new ScenarioException(c.name() + ": give member ids or 'all'");
    }
    if (c.word(0).equals("all")) {
      return new ArrayList<>(env.memberIds());
    }
    List<Long> ids = new ArrayList<>();
    for (int i = 0; c.hasWord(i); i++) {
      ids.add(c.id(i));
    }
    return ids;
  }

  private static void deliver(ScenarioEnv env, Command c) {
    c.allowKeys("drop", "type");
    List<Long> dropList = c.ids("drop");
    Set<Long> drop = dropList == null ? Set.of() : Set.copyOf(dropList);
    String type = c.str("type", null);
    if (c.word(0).equals("all")) {
      env.deliverAll(drop, type);
    } else {
      for (long id : targets(env, c)) {
        env.deliver(id, drop, type);
      }
    }
  }

  /** {@code v4 l5 r2 [transition=auto|implicit|explicit]}; no changes means leave-joint. */
  private static ConfChange confChange(Command c) {
    List<Change> changes = new ArrayList<>();
    for (int i = 1; c.hasWord(i); i++) {
      String w = c.word(i);
      ChangeType type = switch (w.charAt(0)) {
        case 'v' -> ChangeType.ADD_VOTER;
        case 'l' -> ChangeType.ADD_LEARNER;
        case 'r' -> ChangeType.REMOVE;
        default -> throw new ScenarioException("conf change " + w + ": use v<id>, l<id>, r<id>");
      };
      changes.add(new Change(type, Command.toLong(w.substring(1))));
    }
    Transition t = switch (c.str("transition", "auto")) {
      case "auto" -> Transition.AUTO;
      case "implicit" -> Transition.JOINT_IMPLICIT;
      case "explicit" -> Transition.JOINT_EXPLICIT;
      default -> throw new ScenarioException("transition must be auto, implicit or explicit");
    };
    return new ConfChange(changes, t);
  }

  private static boolean okOrFail(String w) {
    return switch (w) {
      case "ok" -> true;
      case "fail" -> false;
      default -> throw new ScenarioException("report-snapshot: expected ok or fail, got " + w);
    };
  }

  /** {@code partition (1) (2,3)}: each list is one side; unlisted members form one more side. */
  private static List<List<Long>> groups(Command c) {
    List<List<Long>> groups = new ArrayList<>();
    for (Command.Arg a : c.positional()) {
      if (!a.key().isEmpty()) {
        throw new ScenarioException("partition: expected lists like (1) (2,3), got " + a.key());
      }
      groups.add(a.values().stream().map(Command::toLong).toList());
    }
    return groups;
  }
}
