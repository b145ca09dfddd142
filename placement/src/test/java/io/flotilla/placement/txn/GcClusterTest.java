package io.flotilla.placement.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.config.HostPort;
import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.Transaction;
import io.flotilla.multiraft.client.TxnClient;
import io.flotilla.multiraft.client.TxnException;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.node.NodeConfig;
import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.MutationPb;
import io.flotilla.multiraft.proto.PrewritePb;
import io.flotilla.multiraft.proto.RangeLookupRequest;
import io.flotilla.multiraft.proto.TxnCommandPb;
import io.flotilla.multiraft.proto.TxnRollbackPb;
import io.flotilla.multiraft.proto.TxnWriteRequest;
import io.flotilla.multiraft.proto.TxnWriteResponse;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.flotilla.multiraft.transport.TransportOptions;
import io.flotilla.placement.driver.PlacementDriver;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.tso.TimestampOracle;
import io.flotilla.placement.tso.TsoClient;
import io.flotilla.placement.tso.TsoOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MVCC garbage collection on three real nodes with the timestamp oracle and the placement
 * driver (retention 2 s, a pass every 300 ms): old versions go, a transaction older than the
 * retention fails with TOO_OLD, and a transaction holding a lock holds the safe point back
 * until its lock is gone.
 */
class GcClusterTest {
  private static final Pattern PASS = Pattern.compile(
      "gc: safe point (\\d+) .*: (\\d+) ranges collected, (\\d+) old versions removed$");

  @TempDir
  Path dir;
  private final List<Node> nodes = new ArrayList<>();
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Node start(String name, List<HostPort> join) {
    NodeConfig c = NodeConfig.of(dir.resolve(name), new HostPort("127.0.0.1", 0), join)
        .withRuntime(new RuntimeOptions(20, 10, 3, 100_000))
        .withTransport(TransportOptions.DEFAULTS.withLivenessTimeout(Duration.ofMillis(600)))
        .withTimings(Duration.ofMillis(100), Duration.ofSeconds(1))
        .withHttp(Optional.empty());
    PlacementDriver.Options driver = new PlacementDriver.Options(Duration.ofMillis(200),
        Duration.ofSeconds(2), PlacementDriver.withoutMerges(PlacementSettings.builder())
            .set("store-down-after", 5_000).set("store-dead-after", 8_000).build())
        .withGc(Duration.ofSeconds(2), Duration.ofMillis(300));
    Node n = Node.start(c, line -> log.add(name + ": " + line),
        List.of(TimestampOracle.extension(TsoOptions.DEFAULTS), new PlacementDriver(driver)));
    nodes.add(n);
    return n;
  }

  @AfterEach
  void stop() {
    nodes.forEach(Node::close);
  }

  @Test
  void oldVersionsGoAndALockHoldsTheSafePointBackUntilItIsGone() throws Exception {
    Node n1 = start("n1", List.of());
    start("n2", List.of(HostPort.parse(n1.address())));
    start("n3", List.of(HostPort.parse(n1.address())));
    List<String> addresses = nodes.stream().map(Node::address).toList();
    try (KvClient kv = new KvClient(addresses); TsoClient tso = new TsoClient(addresses);
        TxnClient txns = new TxnClient(kv, tso::getTimestamp)) {
      Transaction old = txns.begin();
      for (int i = 0; i < 5; i++) {
        String v = "v" + i;
        txns.run(t -> {
          t.put(b("k"), b(v));
          return null;
        });
      }
      long held = tso.getTimestamp();
      prewrite(addresses, held, "h");

      awaitPass(sp -> sp >= old.startTs(), "a pass past the old transaction's start");
      TxnException e = assertThrows(TxnException.class, () -> old.get(b("k")));
      assertEquals(TxnException.Kind.TOO_OLD, e.kind(), e.getMessage());
      assertTrue(removed() > 0, "old versions of k were collected; log " + tail());
      assertEquals("v4", new String(txns.begin().get(b("k")), StandardCharsets.UTF_8));

      Thread.sleep(2_500); // the retention passes the lock's start: only the lock holds GC
      assertTrue(lastSafePoint() < held, "the lock of transaction " + held + " holds the safe"
          + " point back: " + lastSafePoint());
      rollback(addresses, held, "h");
      awaitPass(sp -> sp >= held, "a pass past the lock, once it is gone");

      String metrics = nodes.stream().map(Node::metricsText)
          .filter(m -> m.contains("flotilla_placement_driving 1")).findFirst()
          .orElseThrow(() -> new AssertionError("no node exports that it drives placement"));
      Matcher sp = Pattern.compile("flotilla_gc_safe_point (\\d+)").matcher(metrics);
      assertTrue(sp.find() && Long.parseLong(sp.group(1)) >= held, metrics);
      assertTrue(nodes.stream().anyMatch(n -> n.metricsText().contains("flotilla_tso_serving 1")),
          "one node exports that it serves the TSO");
    }
  }

  private void awaitPass(LongPredicate safePoint, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!safePoint.test(lastSafePoint())) {
      assertTrue(System.nanoTime() < deadline, "no " + what + " in 60 s; log " + tail());
      Thread.sleep(100); // passes run every 300 ms
    }
  }

  private long lastSafePoint() {
    long sp = 0;
    synchronized (log) {
      for (String line : log) {
        Matcher m = PASS.matcher(line);
        if (m.find() && !line.contains("not yet")) {
          sp = Math.max(sp, Long.parseLong(m.group(1)));
        }
      }
    }
    return sp;
  }

  private long removed() {
    long n = 0;
    synchronized (log) {
      for (String line : log) {
        Matcher m = PASS.matcher(line);
        if (m.find()) {
          n += Long.parseLong(m.group(3));
        }
      }
    }
    return n;
  }

  private String tail() {
    synchronized (log) {
      return String.join("\n  ", log.subList(Math.max(0, log.size() - 30), log.size()));
    }
  }

  private void prewrite(List<String> addresses, long start, String key) {
    send(addresses, key, TxnCommandPb.newBuilder().setPrewrite(PrewritePb.newBuilder()
        .addMutations(MutationPb.newBuilder().setKey(ByteString.copyFrom(internal(key)))
            .setValue(ByteString.copyFrom(b("held"))))
        .setPrimary(ByteString.copyFrom(internal(key))).setStartTs(start)
        .setTtlMillis(600_000)).build());
  }

  private void rollback(List<String> addresses, long start, String key) {
    send(addresses, key, TxnCommandPb.newBuilder().setRollback(TxnRollbackPb.newBuilder()
        .addKeys(ByteString.copyFrom(internal(key))).setStartTs(start)).build());
  }

  private static byte[] internal(String key) {
    return Keyspace.toInternal(b(key));
  }

  /** A raw transactional step at the leader of the key's range (asking each node in turn). */
  private void send(List<String> addresses, String key, TxnCommandPb cmd) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (String a : addresses) {
        ManagedChannel ch = ManagedChannelBuilder.forTarget(a).usePlaintext().build();
        try {
          KvGrpc.KvBlockingStub stub = KvGrpc.newBlockingStub(ch)
              .withDeadlineAfter(10, TimeUnit.SECONDS);
          long range = stub.rangeLookup(RangeLookupRequest.newBuilder()
              .setKey(ByteString.copyFrom(internal(key))).build()).getRanges(0).getRange()
              .getRangeId();
          TxnWriteResponse r = stub.txnWrite(TxnWriteRequest.newBuilder().setRangeId(range)
              .setCommand(cmd).build());
          if (!r.hasError()) {
            assertTrue(!r.hasTxnError(), r.toString());
            return;
          }
        } finally {
          ch.shutdownNow();
        }
      }
    }
    throw new AssertionError("no leader took the command for " + key);
  }
}
