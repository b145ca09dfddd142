package io.flotilla.multiraft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-process twin: one delivery per destination per flush, bounds, and the test hooks. */
class LocalTransportTest {
  private final LocalNetwork network = new LocalNetwork(Runnable::run); // deliver in flush()
  private final RecordingHandler ha = new RecordingHandler();
  private final RecordingHandler hb = new RecordingHandler();
  private final LocalTransport a = network.join(1, IncomingSnapshots.REFUSE, 100);
  private final LocalTransport b = network.join(2, IncomingSnapshots.REFUSE, 100);

  LocalTransportTest() {
    a.start(ha);
    b.start(hb);
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
    network.close();
  }

  @Test
  void eachFlushIsOneDeliveryPerDestinationInOrder() {
    List<Envelope> sent = Messages.envelopes(1, 2, 3, 0);
    sent.forEach(a::send);
    assertEquals(List.of(), hb.deliveries(), "nothing before flush");
    a.flush();
    assertEquals(1, hb.deliveries().size());
    assertEquals(Messages.view(sent), Messages.view(hb.received(1)));
    assertEquals(1, a.stats().batchesSent());
    assertEquals(3, a.stats().heartbeatsSent() / 2); // a heartbeat and a response per range
  }

  @Test
  void aFullQueueDropsTheNewestAndReportsIt() {
    List<Envelope> sent = new ArrayList<>();
    for (long r = 1; r <= 120; r++) {
      Envelope e = Messages.heartbeat(1, 2, r);
      sent.add(e);
      a.send(e);
    }
    assertEquals(sent.subList(100, 120), ha.unreachable());
    a.flush();
    assertEquals(100, hb.received(1).size());
  }

  @Test
  void aPartitionReportsDownAndUnreachableAndHealingReportsUp() {
    network.partition(1, 2);
    assertEquals(List.of(2L), ha.downs());
    assertEquals(List.of(1L), hb.downs());
    Envelope e = Messages.heartbeat(1, 2, 5);
    a.send(e);
    a.flush();
    assertEquals(List.of(e), ha.unreachable());
    network.heal();
    assertEquals(List.of(2L), ha.ups());
    network.dropIf((from, env) -> env.rangeId() == 6);
    a.send(Messages.heartbeat(1, 2, 6));
    a.send(Messages.heartbeat(1, 2, 7));
    a.flush();
    assertEquals(List.of(7L), hb.received(1).stream().map(Envelope::rangeId).toList());
  }

  @Test
  void onlyOwnMessagesMaySend() {
    assertThrows(IllegalArgumentException.class, () -> a.send(Messages.heartbeat(2, 1, 1)));
  }
}
