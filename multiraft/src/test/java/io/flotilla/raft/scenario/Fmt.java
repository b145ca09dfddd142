package io.flotilla.raft.scenario;

import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Entry;
import io.flotilla.raft.EntryType;
import io.flotilla.raft.HardState;
import io.flotilla.raft.Message;
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
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Role;
import io.flotilla.raft.Snapshot;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Compact, deterministic renderings of the core's values for scenario output. Positions are
 * always written {@code term/index}, as in {@code prev=1/10} and {@code 1/11 EntryNormal "x"};
 * sets are sorted, so the same run always prints the same text.
 */
final class Fmt {
  private Fmt() {}

  static String role(Role r) {
    return r.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static String ids(Collection<Long> ids) {
    return new TreeSet<>(ids).stream().map(String::valueOf)
        .collect(Collectors.joining(",", "(", ")"));
  }

  static String data(byte[] data) {
    StringBuilder sb = new StringBuilder("\"");
    for (byte b : data) {
      if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
        sb.append((char) b);
      } else {
        sb.append(String.format("\\x%02x", b & 0xff));
      }
    }
    return sb.append('"').toString();
  }

  static String entry(Entry e) {
    String pos = e.term() + "/" + e.index();
    if (e.type() == EntryType.CONF_CHANGE) {
      return pos + " EntryConfChange " + confChange(ConfChange.decode(e.data()));
    }
    return pos + " EntryNormal " + data(e.data());
  }

  static String entries(List<Entry> es) {
    return es.stream().map(Fmt::entry).collect(Collectors.joining(", ", "[", "]"));
  }

  static String confChange(ConfChange cc) {
    if (cc.isLeaveJoint()) {
      return "leave-joint";
    }
    String s = cc.changes().stream().map(ConfChange.Change::toString)
        .collect(Collectors.joining(" "));
    return switch (cc.transition()) {
      case AUTO -> s;
      case JOINT_IMPLICIT -> s + " transition=implicit";
      case JOINT_EXPLICIT -> s + " transition=explicit";
    };
  }

  /** etcd's notation: {@code voters=(1,2,3)&&(1,2) learners=(4) learners_next=(3) autoleave}. */
  static String confState(ConfState cs) {
    StringBuilder sb = new StringBuilder("voters=").append(ids(cs.voters()));
    if (cs.isJoint()) {
      sb.append("&&").append(ids(cs.votersOutgoing()));
    }
    if (!cs.learners().isEmpty()) {
      sb.append(" learners=").append(ids(cs.learners()));
    }
    if (!cs.learnersNext().isEmpty()) {
      sb.append(" learners_next=").append(ids(cs.learnersNext()));
    }
    if (cs.autoLeave()) {
      sb.append(" autoleave");
    }
    return sb.toString();
  }

  static String hardState(HardState hs) {
    return "term=" + hs.term() + " vote=" + hs.vote() + " commit=" + hs.commit();
  }

  static String snapshot(Snapshot s) {
    return s.term() + "/" + s.index() + " " + confState(s.metadata().confState());
  }

  static String member(RaftNode n) {
    return n.id() + " is " + role(n.role()) + " term=" + n.term() + " lead=" + n.leader();
  }

  /** The message name used in output and in {@code deliver-msgs type=...}. */
  static String type(Message m) {
    return switch (m) {
      case Vote v -> v.pre() ? "PreVote" : "Vote";
      case VoteResponse r -> r.pre() ? "PreVoteResponse" : "VoteResponse";
      default -> m.getClass().getSimpleName();
    };
  }

  static String message(Message m) {
    String head = m.from() + "->" + m.to() + " " + type(m) + " term=" + m.term();
    return head + switch (m) {
      case Vote v -> " last=" + v.lastTerm() + "/" + v.lastIndex()
          + (v.transfer() ? " transfer" : "");
      case VoteResponse r -> r.rejected() ? " rejected" : " granted";
      case Append a -> " prev=" + a.prevTerm() + "/" + a.prevIndex() + " commit=" + a.commit()
          + (a.entries().isEmpty() ? "" : " entries=" + entries(a.entries()));
      case AppendResponse r -> " index=" + r.index()
          + (r.rejected() ? " rejected hint=" + r.rejectHintTerm() + "/" + r.rejectHint() : "");
      case Heartbeat h -> " commit=" + h.commit()
          + (h.readRound() > 0 ? " round=" + h.readRound() : "");
      case HeartbeatResponse r -> r.readRound() > 0 ? " round=" + r.readRound() : "";
      case InstallSnapshot s -> " snap=" + snapshot(s.snapshot());
      case TimeoutNow t -> "";
      case ReadIndex r -> " req=" + r.requestId();
      case ReadIndexResponse r -> " req=" + r.requestId() + " index=" + r.index();
    };
  }
}
