package io.flotilla.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.config.HostPort;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.node.NodeConfig;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.MutationPb;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.proto.PrewritePb;
import io.flotilla.multiraft.proto.RangeLookupRequest;
import io.flotilla.multiraft.proto.TxnCommandPb;
import io.flotilla.multiraft.proto.TxnRollbackPb;
import io.flotilla.multiraft.proto.TxnWriteRequest;
import io.flotilla.multiraft.proto.TxnWriteResponse;
import io.flotilla.placement.tso.TimestampOracle;
import io.flotilla.placement.tso.TsoClient;
import io.flotilla.placement.tso.TsoOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flotilla txn} against a one-node cluster with the timestamp oracle, its user keyspace
 * split at "m" so that a script's keys can span two ranges (a two-phase commit).
 */
class TxnCommandTest {
  @TempDir
  static Path dir;

  private static Node node;
  private static ManagedChannel channel;

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

  @BeforeAll
  static void startNode() {
    node = Node.start(NodeConfig.of(dir.resolve("n1"), new HostPort("127.0.0.1", 0), List.of())
            .withHttp(Optional.empty()), line -> { },
        List.of(TimestampOracle.extension(TsoOptions.DEFAULTS)));
    channel = ManagedChannelBuilder.forTarget(node.address()).usePlaintext().build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (NodeAdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .split(AdminSplitRequest.newBuilder().setUserKey(ByteString.copyFromUtf8("m")).build())
        .hasError()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the node never split at m");
      }
      Thread.onSpinWait();
    }
  }

  @AfterAll
  static void stopNode() {
    channel.shutdownNow();
    node.close();
  }

  /** Runs {@code flotilla txn ARGS --addr NODE} with {@code stdin} on standard input. */
  private int txn(String stdin, String... args) {
    outBytes.reset();
    errBytes.reset();
    Main main = new Main(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(outBytes, true, StandardCharsets.UTF_8),
        new PrintStream(errBytes, true, StandardCharsets.UTF_8), 2, Map.of());
    List<String> all = new java.util.ArrayList<>(List.of("txn"));
    all.addAll(List.of(args));
    all.addAll(List.of("--addr", node.address()));
    return main.run(all);
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aScriptCommitsItsWritesAcrossRangesAndPrintsItsReads() {
    assertEquals(0, txn("", "put j1 one; put y1 'two words'; get j1; scan j1 y2; del q1"), err());
    String[] lines = out().split("\n");
    assertEquals(List.of("j1\tone", "j1\tone", "y1\ttwo words"), List.of(lines).subList(0, 3),
        "a transaction reads its own writes");
    assertTrue(lines[3].startsWith("committed at "), out());
    assertEquals(4, lines.length, out());

    assertEquals(0, txn("", "get j1; get y1; get q1"), err());
    lines = out().split("\n");
    assertEquals(List.of("j1\tone", "y1\ttwo words", "q1\t(not found)"),
        List.of(lines).subList(0, 3));
    assertTrue(lines[3].startsWith("read at "), "nothing to commit: " + out());
    assertEquals("", err());
  }

  @Test
  void statementsComeFromStandardInputOnePerLine() {
    String script = "# opening balances\nput in1 5\nput 'in 2' \"x;y\"\n\nget in1\n";
    assertEquals(0, txn(script), err());
    assertTrue(out().startsWith("in1\t5\ncommitted at "), out());
    assertEquals(0, txn("scan in in3\ndel in1\nget in1", "-"), err());
    assertTrue(out().startsWith("in 2\tx;y\nin1\t5\nin1\t(not found)\ncommitted at "), out());
  }

  @Test
  void aMalformedScriptIsRefusedNamingItsStatement() {
    assertEquals(Command.USAGE, txn("", "get a; put a"));
    assertTrue(err().startsWith("flotilla txn: statement 2 ('put a'): put takes KEY VALUE,"
        + " got 1 word"), err());
    assertEquals(Command.USAGE, txn("", "get a;frob b c"));
    assertTrue(err().startsWith("flotilla txn: statement 2 ('frob b c'): unknown statement"
        + " 'frob'"), err());
    assertEquals(Command.USAGE, txn("", "put k 'open"));
    assertTrue(err().startsWith("flotilla txn: statement 1 ('put k 'open'): the ' quote is"
        + " never closed"), err());
    assertEquals(Command.USAGE, txn("", "get ''"));
    assertTrue(err().contains("an empty key"), err());
    assertEquals(Command.USAGE, txn("  \n# nothing\n"));
    assertTrue(err().startsWith("flotilla txn: no statements"), err());
    assertEquals(Command.USAGE, txn("", "get", "a"));
    assertTrue(err().startsWith("flotilla txn: unexpected argument 'a'"), err());
    assertEquals(Command.OK, txn("", "--help"));
    assertTrue(out().startsWith("usage: flotilla txn"), out());
  }

  /** The lock's key sorts after every other test's keys, so that only this test meets it. */
  @Test
  void aKeyLockedByALiveTransactionFailsWithARetryableError() throws Exception {
    long start;
    try (TsoClient tso = new TsoClient(List.of(node.address()))) {
      start = tso.getTimestamp();
    }
    byte[] key = Keyspace.toInternal("zz-held".getBytes(StandardCharsets.UTF_8));
    txnWrite(key, TxnCommandPb.newBuilder().setPrewrite(PrewritePb.newBuilder()
        .addMutations(MutationPb.newBuilder().setKey(ByteString.copyFrom(key))
            .setValue(ByteString.copyFromUtf8("theirs")))
        .setPrimary(ByteString.copyFrom(key)).setStartTs(start).setTtlMillis(600_000)).build());
    assertEquals(Command.FAILED, txn("", "put zz-held mine"));
    assertTrue(err().startsWith("flotilla txn: not committed: LOCKED: "), err());
    assertTrue(err().strip().endsWith("nothing was written, and running it again may"
        + " succeed"), err());
    assertEquals("", out());
    txnWrite(key, TxnCommandPb.newBuilder().setRollback(TxnRollbackPb.newBuilder()
        .addKeys(ByteString.copyFrom(key)).setStartTs(start)).build());
  }

  @Test
  void anUnreachableClusterIsNotCommittedAndMaySucceedLater() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Main main = new Main(new PrintStream(outBytes, true, StandardCharsets.UTF_8),
        new PrintStream(errBytes, true, StandardCharsets.UTF_8), 2);
    assertEquals(Command.FAILED, main.run(List.of("txn", "put k v", "--addr",
        "127.0.0.1:" + port, "--timeout", "1")));
    assertTrue(err().startsWith("flotilla txn: not committed: UNAVAILABLE: "), err());
    assertTrue(err().contains("running it again may succeed"), err());
  }

  /**
   * A raw transactional step on the node's range holding {@code key}, once the node leads it
   * and its meta record knows the split.
   */
  private static void txnWrite(byte[] key, TxnCommandPb cmd) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      KvGrpc.KvBlockingStub stub = KvGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS);
      long range = stub.rangeLookup(RangeLookupRequest.newBuilder()
          .setKey(ByteString.copyFrom(key)).build()).getRanges(0).getRange().getRangeId();
      TxnWriteResponse r = stub.txnWrite(TxnWriteRequest.newBuilder().setRangeId(range)
          .setCommand(cmd).build());
      assertTrue(!r.hasTxnError(), r.toString());
      if (!r.hasError()) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "no leader took " + cmd + ": " + r);
      Thread.sleep(20);
    }
  }
}
