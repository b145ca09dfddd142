package io.flotilla.multiraft.transport;

import com.google.protobuf.AbstractMessage;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.flotilla.multiraft.proto.AppendPb;
import io.flotilla.multiraft.proto.AppendResponsePb;
import io.flotilla.multiraft.proto.EntryPb;
import io.flotilla.multiraft.proto.HeartbeatPb;
import io.flotilla.multiraft.proto.HeartbeatResponsePb;
import io.flotilla.multiraft.proto.MessageBatch;
import io.flotilla.multiraft.proto.RaftMessagePb;
import io.flotilla.multiraft.proto.ReadIndexPb;
import io.flotilla.multiraft.proto.ReadIndexResponsePb;
import io.flotilla.multiraft.proto.SnapshotPb;
import io.flotilla.multiraft.proto.TimeoutNowPb;
import io.flotilla.multiraft.proto.VotePb;
import io.flotilla.multiraft.proto.VoteResponsePb;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Entry;
import io.flotilla.raft.EntryType;
import io.flotilla.raft.Message;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts between {@link Envelope}s and the wire protocol ({@code raft_transport.proto}).
 * Heartbeats and their responses become compact per-range entries whose sender and receiver are
 * the batch's nodes; every other message becomes a {@link RaftMessagePb}. An envelope's
 * {@code quiesce} flag travels on heartbeats only (the only place it means anything). Stateless.
 */
final class MessageCodec {
  /**
   * Bytes an envelope may add to a batch's {@code kind_runs} at worst (a run length, plus a
   * zero-length run for each kind skipped), so that batch sizes computed up front are upper
   * bounds of the real ones.
   */
  static final int KIND_RUN_RESERVE = 5;
  /** A batch's bytes beyond its envelopes: ids, flags, the kind_runs header, the gRPC frame. */
  static final int BATCH_OVERHEAD = 64;

  /** Which list of a batch an envelope travels in; the order is the cycle of {@code kind_runs}. */
  enum Kind { MESSAGE, HEARTBEAT, HEARTBEAT_RESPONSE }

  /**
   * An envelope encoded once, when queued: the size limits need its exact size, and the event
   * loop that later drains the queue then only copies bytes.
   *
   * @param wireBytes an upper bound of what it adds to a {@link MessageBatch}
   */
  record Outgoing(Envelope envelope, Kind kind, AbstractMessage proto, int wireBytes) {}

  private MessageCodec() {}

  static Outgoing encode(Envelope e) {
    return switch (e.message()) {
      case Message.Heartbeat h -> outgoing(e, Kind.HEARTBEAT, HeartbeatPb.newBuilder()
          .setRangeId(e.rangeId()).setTerm(h.term()).setCommit(h.commit())
          .setReadRound(h.readRound()).setQuiesce(e.quiesce()).build(),
          MessageBatch.HEARTBEATS_FIELD_NUMBER);
      case Message.HeartbeatResponse r -> outgoing(e, Kind.HEARTBEAT_RESPONSE,
          HeartbeatResponsePb.newBuilder().setRangeId(e.rangeId()).setTerm(r.term())
              .setReadRound(r.readRound()).build(),
          MessageBatch.HEARTBEAT_RESPONSES_FIELD_NUMBER);
      default -> outgoing(e, Kind.MESSAGE, encode(e.rangeId(), e.message()),
          MessageBatch.MESSAGES_FIELD_NUMBER);
    };
  }

  private static Outgoing outgoing(Envelope e, Kind kind, AbstractMessage pb, int field) {
    return new Outgoing(e, kind, pb,
        CodedOutputStream.computeMessageSize(field, pb) + KIND_RUN_RESERVE);
  }

  /** Encodes any message but a heartbeat or heartbeat response, which travel coalesced. */
  static RaftMessagePb encode(long rangeId, Message m) {
    RaftMessagePb.Builder b = RaftMessagePb.newBuilder().setRangeId(rangeId).setFrom(m.from())
        .setTo(m.to()).setTerm(m.term());
    switch (m) {
      case Message.Vote v -> b.setVote(VotePb.newBuilder().setLastIndex(v.lastIndex())
          .setLastTerm(v.lastTerm()).setPre(v.pre()).setTransfer(v.transfer()));
      case Message.VoteResponse v -> b.setVoteResponse(VoteResponsePb.newBuilder()
          .setPre(v.pre()).setRejected(v.rejected()));
      case Message.Append a -> {
        AppendPb.Builder ab = AppendPb.newBuilder().setPrevIndex(a.prevIndex())
            .setPrevTerm(a.prevTerm()).setCommit(a.commit());
        for (Entry en : a.entries()) {
          // No copy: an entry's data is immutable once built (see Entry).
          ab.addEntries(EntryPb.newBuilder().setTerm(en.term()).setIndex(en.index())
              .setConfChange(en.type() == EntryType.CONF_CHANGE)
              .setData(UnsafeByteOperations.unsafeWrap(en.data())));
        }
        b.setAppend(ab);
      }
      case Message.AppendResponse r -> b.setAppendResponse(AppendResponsePb.newBuilder()
          .setIndex(r.index()).setRejected(r.rejected()).setRejectHint(r.rejectHint())
          .setRejectHintTerm(r.rejectHintTerm()));
      case Message.InstallSnapshot s -> b.setSnapshot(SnapshotPb.newBuilder()
          .setIndex(s.snapshot().index()).setTerm(s.snapshot().term())
          .setConfState(ByteString.copyFrom(s.snapshot().metadata().confState().encode()))
          .setData(ByteString.copyFrom(s.snapshot().data())));
      case Message.TimeoutNow t -> b.setTimeoutNow(TimeoutNowPb.getDefaultInstance());
      case Message.ReadIndex r -> b.setReadIndex(ReadIndexPb.newBuilder()
          .setRequestId(r.requestId()));
      case Message.ReadIndexResponse r -> b.setReadIndexResponse(ReadIndexResponsePb.newBuilder()
          .setRequestId(r.requestId()).setIndex(r.index()));
      case Message.Heartbeat h -> throw new IllegalArgumentException(
          "heartbeats travel coalesced, not as RaftMessagePb: " + h);
      case Message.HeartbeatResponse h -> throw new IllegalArgumentException(
          "heartbeat responses travel coalesced, not as RaftMessagePb: " + h);
    }
    return b.build();
  }

  /** @throws IllegalArgumentException if the message has no body or a malformed one */
  static Message decode(RaftMessagePb pb) {
    long from = pb.getFrom();
    long to = pb.getTo();
    long term = pb.getTerm();
    return switch (pb.getBodyCase()) {
      case VOTE -> {
        VotePb v = pb.getVote();
        yield new Message.Vote(from, to, term, v.getLastIndex(), v.getLastTerm(), v.getPre(),
            v.getTransfer());
      }
      case VOTE_RESPONSE -> new Message.VoteResponse(from, to, term,
          pb.getVoteResponse().getPre(), pb.getVoteResponse().getRejected());
      case APPEND -> {
        AppendPb a = pb.getAppend();
        List<Entry> entries = new ArrayList<>(a.getEntriesCount());
        for (EntryPb e : a.getEntriesList()) {
          entries.add(new Entry(e.getTerm(), e.getIndex(),
              e.getConfChange() ? EntryType.CONF_CHANGE : EntryType.NORMAL,
              e.getData().toByteArray()));
        }
        yield new Message.Append(from, to, term, a.getPrevIndex(), a.getPrevTerm(), entries,
            a.getCommit());
      }
      case APPEND_RESPONSE -> {
        AppendResponsePb r = pb.getAppendResponse();
        yield new Message.AppendResponse(from, to, term, r.getIndex(), r.getRejected(),
            r.getRejectHint(), r.getRejectHintTerm());
      }
      case SNAPSHOT -> {
        SnapshotPb s = pb.getSnapshot();
        ConfState conf = ConfState.decode(s.getConfState().toByteArray());
        yield new Message.InstallSnapshot(from, to, term, new Snapshot(
            new SnapshotMetadata(s.getIndex(), s.getTerm(), conf), s.getData().toByteArray()));
      }
      case TIMEOUT_NOW -> new Message.TimeoutNow(from, to, term);
      case READ_INDEX -> new Message.ReadIndex(from, to, term, pb.getReadIndex().getRequestId());
      case READ_INDEX_RESPONSE -> new Message.ReadIndexResponse(from, to, term,
          pb.getReadIndexResponse().getRequestId(), pb.getReadIndexResponse().getIndex());
      case BODY_NOT_SET -> throw new IllegalArgumentException("raft message of range "
          + pb.getRangeId() + " has no body (sent by a newer version?)");
    };
  }

  /**
   * The batch's envelopes in the order they were sent.
   *
   * @throws IllegalArgumentException if a message is malformed or {@code kind_runs} does not
   *     match the lists
   */
  static List<Envelope> decode(MessageBatch b) {
    int[] counts = {b.getMessagesCount(), b.getHeartbeatsCount(),
        b.getHeartbeatResponsesCount()};
    List<Integer> runs = b.getKindRunsCount() > 0 ? b.getKindRunsList()
        : List.of(counts[0], counts[1], counts[2]);
    List<Envelope> out = new ArrayList<>(counts[0] + counts[1] + counts[2]);
    int[] next = new int[3];
    int kind = 0;
    for (int run : runs) {
      if (run < 0 || run > counts[kind] - next[kind]) {
        throw new IllegalArgumentException("kind_runs promise more " + Kind.values()[kind]
            + " entries than the batch holds (" + counts[kind] + ")");
      }
      for (int i = 0; i < run; i++) {
        out.add(decode(b, kind, next[kind]++));
      }
      kind = (kind + 1) % 3;
    }
    if (out.size() != counts[0] + counts[1] + counts[2]) {
      throw new IllegalArgumentException("kind_runs cover " + out.size() + " of the batch's "
          + (counts[0] + counts[1] + counts[2]) + " entries");
    }
    return out;
  }

  private static Envelope decode(MessageBatch b, int kind, int i) {
    long from = b.getFromNode();
    long to = b.getToNode();
    return switch (kind) {
      case 0 -> new Envelope(b.getMessages(i).getRangeId(), decode(b.getMessages(i)));
      case 1 -> {
        HeartbeatPb h = b.getHeartbeats(i);
        yield new Envelope(h.getRangeId(), new Message.Heartbeat(from, to, h.getTerm(),
            h.getCommit(), h.getReadRound()), h.getQuiesce());
      }
      default -> {
        HeartbeatResponsePb r = b.getHeartbeatResponses(i);
        yield new Envelope(r.getRangeId(),
            new Message.HeartbeatResponse(from, to, r.getTerm(), r.getReadRound()));
      }
    };
  }
}
