package io.flotilla.multiraft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.raft.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real gRPC on loopback: delivery, order, coalescing, size limits and refusals. */
class GrpcTransportTest {
  private static final Logger PACKAGE_LOG = Logger.getLogger("io.flotilla.multiraft.transport");
  private final TestNodes nodes = new TestNodes();
  private Handler logCapture;

  @AfterEach
  void close() {
    nodes.close();
    if (logCapture != null) {
      PACKAGE_LOG.removeHandler(logCapture);
    }
  }

  @Test
  void twoNodesExchangeEveryMessageTypeInOrder() throws Exception {
    RecordingHandler ha = new RecordingHandler();
    RecordingHandler hb = new RecordingHandler();
    GrpcTransport a = nodes.start(1, ha);
    GrpcTransport b = nodes.start(2, hb);
    List<Envelope> aToB = new ArrayList<>();
    List<Envelope> bToA = new ArrayList<>();
    for (int cycle = 0; cycle < 3; cycle++) {
      List<Envelope> x = Messages.envelopes(1, 2, 5, cycle * 100);
      List<Envelope> y = Messages.envelopes(2, 1, 5, cycle * 100 + 50);
      x.forEach(a::send);
      y.forEach(b::send);
      a.flush();
      b.flush();
      aToB.addAll(x);
      bToA.addAll(y);
    }
    hb.awaitReceived(1, aToB.size());
    ha.awaitReceived(2, bToA.size());
    assertEquals(Messages.view(aToB), Messages.view(hb.received(1)));
    assertEquals(Messages.view(bToA), Messages.view(ha.received(2)));
    assertEquals(List.of(), ha.unreachable());
    assertEquals(aToB.size(), a.stats().messagesSent());
    assertEquals(aToB.size(), b.stats().messagesReceived());
  }

  @Test
  void threeNodesKeepTheOrderOfEveryPair() throws Exception {
    Map<Long, RecordingHandler> handlers = new TreeMap<>();
    Map<Long, GrpcTransport> transports = new TreeMap<>();
    for (long n = 1; n <= 3; n++) {
      handlers.put(n, new RecordingHandler());
      transports.put(n, nodes.start(n, handlers.get(n)));
    }
    Map<String, List<Envelope>> sent = new TreeMap<>();
    for (int cycle = 0; cycle < 4; cycle++) {
      for (long from = 1; from <= 3; from++) {
        for (long to = 1; to <= 3; to++) {
          if (from != to) {
            List<Envelope> es = Messages.envelopes(from, to, 3, cycle * 10 + from * 3 + to);
            es.forEach(transports.get(from)::send);
            sent.computeIfAbsent(from + ">" + to, k -> new ArrayList<>()).addAll(es);
          }
        }
        transports.get(from).flush();
      }
    }
    for (Map.Entry<String, List<Envelope>> e : sent.entrySet()) {
      String[] pair = e.getKey().split(">");
      long from = Long.parseLong(pair[0]);
      RecordingHandler to = handlers.get(Long.parseLong(pair[1]));
      to.awaitReceived(from, e.getValue().size());
      assertEquals(Messages.view(e.getValue()), Messages.view(to.received(from)),
          "envelopes " + e.getKey());
    }
  }

  @Test
  void thousandRangesHeartbeatsTravelAsOneBatch() throws Exception {
    RecordingHandler hb = new RecordingHandler();
    GrpcTransport a = nodes.start(1, new RecordingHandler());
    GrpcTransport b = nodes.start(2, hb);
    List<Envelope> sent = new ArrayList<>();
    for (long range = 1; range <= 1000; range++) {
      sent.add(Messages.heartbeat(1, 2, range));
    }
    sent.forEach(a::send);
    a.flush();
    hb.awaitReceived(1, 1000);
    assertEquals(1, hb.deliveries().size(), "one delivery to the handler");
    assertEquals(Messages.view(sent), Messages.view(hb.received(1)));
    TransportStats out = a.stats();
    assertEquals(1, out.batchesSent());
    assertEquals(1, out.heartbeatBatchesSent());
    assertEquals(1000, out.heartbeatsSent());
    assertTrue(out.bytesSent() < 1000 * 16, "compact entries: " + out.bytesSent() + " bytes");
    assertEquals(1, b.stats().batchesReceived());
    assertEquals(1000, b.stats().heartbeatsReceived());
  }

  @Test
  void aFlushOverTheBatchLimitArrivesCompleteInSeveralBatches() throws Exception {
    TransportOptions small = TestNodes.FAST.withMaxBatchBytes(64 << 10);
    RecordingHandler hb = new RecordingHandler();
    GrpcTransport a = nodes.start(1, TestNodes.CLUSTER, small, IncomingSnapshots.REFUSE,
        new RecordingHandler());
    GrpcTransport b = nodes.start(2, TestNodes.CLUSTER, small, IncomingSnapshots.REFUSE, hb);
    List<Envelope> sent = new ArrayList<>();
    for (long range = 1; range <= 100; range++) {
      sent.add(Messages.append(1, 2, range, 4 << 10));
      sent.add(Messages.heartbeat(1, 2, range));
    }
    sent.forEach(a::send);
    a.flush();
    hb.awaitReceived(1, sent.size());
    assertEquals(Messages.view(sent), Messages.view(hb.received(1)));
    long batches = b.stats().batchesReceived();
    assertTrue(batches >= 7, batches + " batches for ~410 KiB at 64 KiB each");
    assertEquals(batches, a.stats().batchesSent());
    assertTrue(a.stats().bytesSent() <= batches * (64 << 10));
  }

  @Test
  void aMessageOverTheLimitIsRefusedAtOnceAndNotBuffered() {
    TransportOptions small = TestNodes.FAST.withMaxBatchBytes(64 << 10);
    RecordingHandler ha = new RecordingHandler();
    GrpcTransport a = nodes.start(1, TestNodes.CLUSTER, small, IncomingSnapshots.REFUSE, ha);
    Envelope big = Messages.append(1, 2, 9, 100 << 10);
    a.send(big);
    // Refused synchronously, before any flush: nothing of it waits anywhere.
    assertEquals(List.of(big), ha.unreachable());
    TransportStats s = a.stats();
    assertEquals(1, s.droppedTooLarge());
    assertEquals(0, s.queuedMessages());
    assertEquals(0, s.queuedBytes());
  }

  @Test
  void aNodeOfAnotherClusterIsRefusedClearlyAndOnce() throws Exception {
    List<String> log = captureLog();
    RecordingHandler hb = new RecordingHandler();
    GrpcTransport a = nodes.start(1, new RecordingHandler());
    GrpcTransport b = nodes.start(2, 0xbadL, TestNodes.FAST, IncomingSnapshots.REFUSE, hb);
    a.send(Messages.heartbeat(1, 2, 1));
    a.flush();
    Await.until(() -> a.stats().refusedByPeers() >= 3, "node 2 refused node 1 three times");
    assertEquals(List.of(), hb.deliveries());
    assertEquals(0, b.stats().messagesReceived());
    List<String> refusals;
    synchronized (log) {
      refusals = log.stream().filter(l -> l.contains("refusing the messages of node 1")).toList();
    }
    assertEquals(1, refusals.size(), "logged once: " + log);
    assertTrue(refusals.get(0).contains("belongs to cluster f1075, but node 2 belongs to cluster"
        + " bad"), refusals.get(0));
    synchronized (log) {
      assertTrue(log.stream().anyMatch(l -> l.contains("node 2 refuses our messages")),
          log.toString());
    }
  }

  @Test
  void aStaleAddressReachingTheWrongNodeIsRefused() throws Exception {
    RecordingHandler hb = new RecordingHandler();
    GrpcTransport a = nodes.start(1, new RecordingHandler());
    GrpcTransport b = nodes.start(2, hb);
    nodes.addresses.put(3L, nodes.addresses.get(2L)); // node 3's address now serves node 2
    a.send(new Envelope(1, new Message.TimeoutNow(1, 3, 1)));
    a.flush();
    Await.until(() -> b.stats().refusedFromPeers() >= 1, "node 2 refused mail for node 3");
    assertEquals(List.of(), hb.deliveries());
  }

  @Test
  void theThreadsStayFewWhateverTheNumberOfPeers() throws Exception {
    RecordingHandler h1 = new RecordingHandler();
    GrpcTransport one = nodes.start(1, h1);
    List<GrpcTransport> others = new ArrayList<>();
    for (long n = 2; n <= 6; n++) {
      others.add(nodes.start(n, new RecordingHandler()));
    }
    for (GrpcTransport t : others) {
      one.send(Messages.heartbeat(1, t.nodeId(), 1));
      t.send(Messages.heartbeat(t.nodeId(), 1, 1));
      t.flush();
    }
    one.flush();
    h1.awaitReceived(2, 1);
    for (long n = 2; n <= 6; n++) {
      h1.awaitReceived(n, 1);
    }
    Map<String, Integer> threads = new TreeMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      java.util.regex.Matcher m = java.util.regex.Pattern
          .compile("flotilla-(transport|snapshot)-([a-z]+)-1(-.*)?").matcher(t.getName());
      if (m.matches()) {
        threads.merge(m.group(1) + "-" + m.group(2), 1, Integer::sum);
      }
    }
    // Five peers in and out, yet: at most 1 acceptor, 2 event loops, 1 timer, and no more.
    assertTrue(threads.getOrDefault("transport-boss", 0) <= 1, threads.toString());
    assertTrue(threads.getOrDefault("transport-io", 0) <= 2, threads.toString());
    assertEquals(1, threads.get("transport-timer"), threads.toString());
    threads.keySet().removeAll(List.of("transport-boss", "transport-io", "transport-timer"));
    assertEquals(Map.of(), threads, "no other threads without snapshots");
  }

  /** Lines logged under this package from now until the test ends. */
  private List<String> captureLog() {
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    SimpleFormatter f = new SimpleFormatter();
    logCapture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        lines.add(f.formatMessage(r));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    PACKAGE_LOG.addHandler(logCapture);
    return lines;
  }
}
