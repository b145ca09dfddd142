package io.flotilla.multiraft.transport;

import io.flotilla.raft.ConfState;
import io.flotilla.raft.Entry;
import io.flotilla.raft.EntryType;
import io.flotilla.raft.Message;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.SnapshotMetadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/** Messages of every type, and a view of them that compares by value. */
final class Messages {
  private Messages() {}

  /** One message of each type (two votes), with ids and terms that vary with {@code seed}. */
  static List<Message> everyType(long from, long to, long seed) {
    long t = 5 + seed;
    return List.of(
        new Message.Vote(from, to, t, 10 + seed, t - 1, false, false),
        new Message.Vote(from, to, t + 1, 11, t, true, true),
        new Message.VoteResponse(from, to, t, true, seed % 2 == 0),
        new Message.Append(from, to, t, 5, t - 1, List.of(
            Entry.normal(t, 6, bytes("put k" + seed + "=v")),
            new Entry(t, 7, EntryType.CONF_CHANGE, bytes("conf " + seed)),
            Entry.normal(t, 8, new byte[0])), 6),
        new Message.AppendResponse(from, to, t, 8, true, 4, t - 2),
        new Message.Heartbeat(from, to, t, 6 + seed, 42 + seed),
        new Message.HeartbeatResponse(from, to, t, 42 + seed),
        new Message.InstallSnapshot(from, to, t, new Snapshot(new SnapshotMetadata(100 + seed, t,
            new ConfState(Set.of(from, to), Set.of(to, 9L), Set.of(4L), Set.of(9L), true)),
            bytes("snapshot " + seed))),
        new Message.TimeoutNow(from, to, Long.MAX_VALUE - seed),
        new Message.ReadIndex(from, to, t, -1L - seed),
        new Message.ReadIndexResponse(from, to, t, 77 + seed, 123));
  }

  /**
   * Every type for {@code ranges} ranges, interleaved range by range (so that heartbeats and
   * other messages alternate), heartbeats of even ranges quiescing.
   */
  static List<Envelope> envelopes(long from, long to, int ranges, long seed) {
    List<Envelope> out = new ArrayList<>();
    for (int r = 0; r < ranges; r++) {
      long range = r == 0 ? -1L : r; // an id with the top bit set travels as uint64
      for (Message m : everyType(from, to, seed + r)) {
        out.add(new Envelope(range, m, m instanceof Message.Heartbeat && r % 2 == 0));
      }
    }
    return out;
  }

  static Envelope heartbeat(long from, long to, long range) {
    return new Envelope(range, new Message.Heartbeat(from, to, 3, range, 1));
  }

  static Envelope append(long from, long to, long range, int dataBytes) {
    byte[] data = new byte[dataBytes];
    for (int i = 0; i < dataBytes; i++) {
      data[i] = (byte) (range * 31 + i);
    }
    return new Envelope(range, new Message.Append(from, to, 2, range, 1,
        List.of(Entry.normal(2, range + 1, data)), range));
  }

  /** A value view: records compare by value except a snapshot's data array, so map that. */
  static List<Object> view(List<Envelope> envelopes) {
    return envelopes.stream().map(Messages::view).toList();
  }

  static Object view(Envelope e) {
    Object m = e.message();
    if (m instanceof Message.InstallSnapshot s) {
      m = List.of("InstallSnapshot", s.from(), s.to(), s.term(), s.snapshot().metadata(),
          HexFormat.of().formatHex(s.snapshot().data()));
    }
    return List.of(e.rangeId(), m, e.quiesce());
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
