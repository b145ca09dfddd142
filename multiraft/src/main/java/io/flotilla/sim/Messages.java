package io.flotilla.sim;

import io.flotilla.raft.ConfChange;
import io.flotilla.raft.Entry;
import io.flotilla.raft.EntryType;
import io.flotilla.raft.Message;
import java.util.List;

/**
 * Short descriptions and deterministic fingerprints of messages and entries. Records' own
 * {@code hashCode} is no good for a replay hash: a snapshot's byte array hashes by identity.
 */
final class Messages {
  private Messages() {}

  static String describe(Message m) {
    String head = m.getClass().getSimpleName() + " " + m.from() + "->" + m.to() + " t" + m.term();
    return head + switch (m) {
      case Message.Vote v -> (v.pre() ? " pre" : "") + (v.transfer() ? " transfer" : "")
          + " last " + v.lastTerm() + "/" + v.lastIndex();
      case Message.VoteResponse r -> (r.pre() ? " pre" : "") + (r.rejected() ? " rejected"
          : " granted");
      case Message.Append a -> " prev " + a.prevTerm() + "/" + a.prevIndex() + " "
          + entries(a.entries()) + " commit " + a.commit();
      case Message.AppendResponse r -> (r.rejected() ? " rejected " + r.index() + " hint "
          + r.rejectHintTerm() + "/" + r.rejectHint() : " ok " + r.index());
      case Message.Heartbeat h -> " commit " + h.commit() + " round " + h.readRound();
      case Message.HeartbeatResponse r -> " round " + r.readRound();
      case Message.InstallSnapshot s -> " " + s.snapshot();
      case Message.TimeoutNow t -> "";
      case Message.ReadIndex r -> " req " + r.requestId();
      case Message.ReadIndexResponse r -> " req " + r.requestId() + " index " + r.index();
    };
  }

  /** An entry as the trace shows it: position, then the decoded command or change. */
  static String describe(Entry e) {
    String pos = e.term() + "/" + e.index();
    if (e.type() == EntryType.CONF_CHANGE) {
      try {
        return pos + " conf " + ConfChange.decode(e.data());
      } catch (IllegalArgumentException ex) {
        return pos + " conf (malformed)";
      }
    }
    if (e.data().length == 0) {
      return pos + " no-op";
    }
    Command c = Command.decode(e.data());
    return c == null ? pos + " ? (" + e.data().length + " bytes)"
        : c.kind() == Command.PUT ? pos + " put(k" + c.key() + ", " + c.value() + ")"
        : pos + " probe " + c.op();
  }

  static String entries(List<Entry> es) {
    if (es.isEmpty()) {
      return "[]";
    }
    if (es.size() <= 3) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < es.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(es.get(i).term()).append('/')
            .append(es.get(i).index());
      }
      return sb.append(']').toString();
    }
    Entry first = es.get(0);
    Entry last = es.get(es.size() - 1);
    return "[" + first.term() + "/" + first.index() + " .. " + last.term() + "/" + last.index()
        + "]";
  }

  /** A 64-bit fingerprint of every field (entry payloads by content, not identity). */
  static long fingerprint(Message m) {
    long h = Hashing.mix(m.getClass().getSimpleName().hashCode(), m.from());
    h = Hashing.mix(h, m.to());
    h = Hashing.mix(h, m.term());
    return switch (m) {
      case Message.Vote v -> Hashing.mix(Hashing.mix(Hashing.mix(h, v.lastIndex()), v.lastTerm()),
          (v.pre() ? 1 : 0) + (v.transfer() ? 2 : 0));
      case Message.VoteResponse r -> Hashing.mix(h, (r.pre() ? 1 : 0) + (r.rejected() ? 2 : 0));
      case Message.Append a -> {
        long x = Hashing.mix(Hashing.mix(Hashing.mix(h, a.prevIndex()), a.prevTerm()),
            a.commit());
        for (Entry e : a.entries()) {
          x = Hashing.mix(x, fingerprint(e));
        }
        yield x;
      }
      case Message.AppendResponse r -> Hashing.mix(Hashing.mix(Hashing.mix(Hashing.mix(h,
          r.index()), r.rejected() ? 1 : 0), r.rejectHint()), r.rejectHintTerm());
      case Message.Heartbeat b -> Hashing.mix(Hashing.mix(h, b.commit()), b.readRound());
      case Message.HeartbeatResponse r -> Hashing.mix(h, r.readRound());
      case Message.InstallSnapshot s -> Hashing.mix(Hashing.mix(Hashing.mix(h,
          s.snapshot().index()), s.snapshot().term()), Hashing.bytes(s.snapshot().data()));
      case Message.TimeoutNow t -> h;
      case Message.ReadIndex r -> Hashing.mix(h, r.requestId());
      case Message.ReadIndexResponse r -> Hashing.mix(Hashing.mix(h, r.requestId()), r.index());
    };
  }

  static long fingerprint(Entry e) {
    return Hashing.mix(Hashing.mix(Hashing.mix(e.term(), e.index()), e.type().ordinal()),
        Hashing.bytes(e.data()));
  }
}
