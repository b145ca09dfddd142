package io.flotilla.multiraft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Peers that are down, come up, and move: bounded queues, liveness events, reconnection. */
class GrpcTransportFailureTest {
  private final TestNodes nodes = new TestNodes();

  @AfterEach
  void close() {
    nodes.close();
  }

  @Test
  void aDownPeerFillsABoundedQueueThenReceivesOnceItStarts() throws Exception {
    RecordingHandler ha = new RecordingHandler();
    TransportOptions bounded = TestNodes.FAST.withQueueLimits(100, 4 << 20);
    GrpcTransport a = nodes.start(1, TestNodes.CLUSTER, bounded, IncomingSnapshots.REFUSE, ha);
    // Node 2's address is not known yet: every connection attempt fails.
    List<Envelope> sent = new ArrayList<>();
    for (long range = 1; range <= 150; range++) {
      Envelope e = Messages.append(1, 2, range, 100);
      sent.add(e);
      a.send(e);
      a.flush();
    }
    assertEquals(sent.subList(100, 150), ha.unreachable(), "the newest are dropped");
    assertEquals(100, a.stats().queuedMessages());
    assertEquals(50, a.stats().droppedQueueFull());
    ha.await(() -> ha.downs().equals(List.of(2L)), "node 2 is reported down");

    // The byte bound holds too: a few large envelopes fill the 4 MiB left.
    for (long range = 200; range < 210; range++) {
      a.send(Messages.append(1, 2, range, 1 << 20));
    }
    assertTrue(a.stats().queuedBytes() <= 4 << 20, a.stats().queuedBytes() + " bytes queued");
    assertTrue(ha.unreachable().size() >= 50 + 7, ha.unreachable().size() + " refused");
    long queued = a.stats().queuedMessages();

    RecordingHandler hb = new RecordingHandler();
    nodes.start(2, hb);
    a.flush();
    hb.awaitReceived(1, (int) queued);
    assertEquals(Messages.view(sent.subList(0, 100)),
        Messages.view(hb.received(1).subList(0, 100)), "queued envelopes arrive in order");
    ha.await(() -> ha.ups().equals(List.of(2L)), "node 2 is reported up");
    assertEquals(0, a.stats().queuedMessages());

    Envelope later = Messages.heartbeat(1, 2, 7);
    a.send(later);
    a.flush();
    hb.awaitReceived(1, (int) queued + 1);
    // Let several liveness rounds pass (pings answered) before checking nothing else fired.
    long pings = a.stats().pingsSent();
    Await.until(() -> a.stats().pingsSent() >= pings + 4, "four more pings");
    assertEquals(List.of(2L), ha.downs());
    assertEquals(List.of(2L), ha.ups());
    assertTrue(a.stats().reconnects() >= 1, "reconnected with backoff");
  }

  @Test
  void aPeerRestartedAtANewAddressIsReachedAgain() throws Exception {
    RecordingHandler ha = new RecordingHandler();
    GrpcTransport a = nodes.start(1, ha);
    RecordingHandler hb1 = new RecordingHandler();
    GrpcTransport b1 = nodes.start(2, hb1);
    a.send(Messages.heartbeat(1, 2, 1));
    a.flush();
    hb1.awaitReceived(1, 1);
    ha.await(() -> ha.ups().equals(List.of(2L)), "node 2 is up");

    b1.close();
    ha.await(() -> ha.downs().equals(List.of(2L)), "node 2 is reported down once");

    RecordingHandler hb2 = new RecordingHandler();
    nodes.start(2, hb2); // a new port, published through the resolver
    ha.await(() -> ha.ups().size() == 2, "node 2 is reported up again");
    a.send(Messages.heartbeat(1, 2, 2));
    a.flush();
    hb2.awaitReceived(1, 1);
    assertEquals(2L, hb2.received(1).get(0).rangeId());
    assertEquals(List.of(2L), ha.downs());
  }
}
