package io.flotilla.multiraft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.proto.MessageBatch;
import io.flotilla.multiraft.proto.RaftMessagePb;
import io.flotilla.raft.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The codec and the batch builder, without a network. */
class MessageCodecTest {
  private final Counters counters = new Counters();

  private MessageBatch batchOf(List<Envelope> envelopes, int maxBatchBytes) {
    PeerQueue q = new PeerQueue(100_000, 1L << 30, counters);
    envelopes.forEach(e -> assertTrue(q.offer(MessageCodec.encode(e))));
    q.markFlushable();
    return q.nextBatch(TestNodes.CLUSTER, 1, 2, maxBatchBytes);
  }

  @Test
  void everyMessageTypeRoundTripsInOrder() throws Exception {
    List<Envelope> sent = Messages.envelopes(1, 2, 4, 0);
    MessageBatch b = MessageBatch.parseFrom(batchOf(sent, 1 << 20).toByteArray());
    assertEquals(Messages.view(sent), Messages.view(MessageCodec.decode(b)));
    assertEquals(4 * 9, b.getMessagesCount());
    assertEquals(4, b.getHeartbeatsCount());
    assertEquals(4, b.getHeartbeatResponsesCount());
    assertTrue(b.getKindRunsCount() > 3, "interleaved kinds need explicit runs");
  }

  @Test
  void batchInTheDefaultOrderCarriesNoRuns() {
    List<Envelope> sent = List.of(Messages.append(1, 2, 7, 10), Messages.heartbeat(1, 2, 7),
        Messages.heartbeat(1, 2, 8));
    MessageBatch b = batchOf(sent, 1 << 20);
    assertEquals(0, b.getKindRunsCount());
    assertEquals(Messages.view(sent), Messages.view(MessageCodec.decode(b)));
  }

  @Test
  void batchIsCutAtTheByteLimitAndEachSizeIsAnUpperBound() {
    PeerQueue q = new PeerQueue(100_000, 1L << 30, counters);
    long accounted = 0;
    for (int i = 0; i < 100; i++) {
      MessageCodec.Outgoing o = MessageCodec.encode(i % 3 == 0 ? Messages.heartbeat(1, 2, i)
          : Messages.append(1, 2, i, 1000));
      accounted += o.wireBytes();
      q.offer(o);
    }
    q.markFlushable();
    int batches = 0;
    int envelopes = 0;
    while (q.hasFlushable()) {
      MessageBatch b = q.nextBatch(TestNodes.CLUSTER, 1, 2, 8 << 10);
      assertTrue(b.getSerializedSize() <= 8 << 10, "batch of " + b.getSerializedSize());
      envelopes += MessageCodec.decode(b).size();
      batches++;
    }
    assertEquals(100, envelopes);
    assertTrue(batches >= accounted / (8 << 10), batches + " batches");
    assertEquals(0, counters.snapshot().queuedMessages());
    assertEquals(0, counters.snapshot().queuedBytes());
  }

  @Test
  void malformedBatchesAreRefused() {
    MessageBatch ok = batchOf(List.of(Messages.heartbeat(1, 2, 5)), 1 << 20);
    assertThrows(IllegalArgumentException.class,
        () -> MessageCodec.decode(ok.toBuilder().addKindRuns(0).addKindRuns(2).build()));
    assertThrows(IllegalArgumentException.class,
        () -> MessageCodec.decode(ok.toBuilder().addKindRuns(0).build()));
    MessageBatch noBody = MessageBatch.newBuilder()
        .addMessages(RaftMessagePb.newBuilder().setRangeId(1).setFrom(1).setTo(2)).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MessageCodec.decode(noBody));
    assertTrue(e.getMessage().contains("no body"), e.getMessage());
  }

  @Test
  void heartbeatsCannotTravelAsFullMessages() {
    assertThrows(IllegalArgumentException.class,
        () -> MessageCodec.encode(1, new Message.Heartbeat(1, 2, 3, 4, 5)));
  }
}
