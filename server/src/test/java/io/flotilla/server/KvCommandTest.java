package io.flotilla.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.multiraft.kv.ClusterMembership;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.kv.KvService;
import io.flotilla.multiraft.proto.JoinRequest;
import io.flotilla.multiraft.proto.JoinResponse;
import io.flotilla.multiraft.proto.NodeInfoPb;
import io.flotilla.multiraft.proto.NodesResponse;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.flotilla.multiraft.runtime.StoreRuntime;
import io.flotilla.multiraft.transport.Envelope;
import io.flotilla.multiraft.transport.Transport;
import io.flotilla.raft.ConfState;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flotilla kv} against a one-node cluster serving the KV API on loopback. */
class KvCommandTest {
  @TempDir
  static Path dir;

  private static Store store;
  private static StoreRuntime runtime;
  private static KvService service;
  private static Server server;
  private static String address;

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final Main main = new Main(new PrintStream(outBytes, true, StandardCharsets.UTF_8),
      new PrintStream(errBytes, true, StandardCharsets.UTF_8), 2);

  /** A node alone: nothing to send anywhere. */
  private static final class NoPeers implements Transport {
    @Override
    public void start(Handler handler) {}

    @Override
    public void send(Envelope envelope) {}

    @Override
    public void flush() {}

    @Override
    public void sendSnapshot(Envelope e, SnapshotSource source, SnapshotOutcome done) {
      throw new UnsupportedOperationException("a lone node sends no snapshots");
    }

    @Override
    public void close() {}
  }

  @BeforeAll
  static void startNode() throws Exception {
    store = Store.create(dir.resolve("n1"), new StoreIdentity(9, 1, Store.FORMAT_VERSION),
        StoreOptions.DEFAULTS);
    runtime = new StoreRuntime(1, store, new RaftLogStore(store), new NoPeers(),
        new RuntimeOptions(10, 10, 3, 10_000), System::currentTimeMillis);
    runtime.start();
    ConfState me = ConfState.ofVoters(1L);
    runtime.createRange(new RangeDescriptor(Keyspace.SYSTEM_RANGE_ID, new byte[0],
        Keyspace.userStart(), 0, me)).get(10, TimeUnit.SECONDS);
    runtime.createRange(new RangeDescriptor(Keyspace.FIRST_USER_RANGE_ID, Keyspace.userStart(),
        new byte[0], 0, me)).get(10, TimeUnit.SECONDS);
    String[] self = new String[1];
    service = new KvService(runtime, new ClusterMembership() {
      @Override
      public JoinResponse join(JoinRequest request) {
        throw new UnsupportedOperationException("no joining in this test");
      }

      @Override
      public NodesResponse nodes() {
        return NodesResponse.newBuilder().setClusterId(9)
            .addNodes(NodeInfoPb.newBuilder().setNodeId(1).setAddress(self[0])).build();
      }
    });
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(service).build().start();
    address = "127.0.0.1:" + server.getPort();
    self[0] = address;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!runtime.ranges().stream().allMatch(KvCommandTest::ledHere)
        || runtime.ranges().size() < 2) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the lone node never led its ranges: " + runtime.ranges());
      }
      Thread.sleep(5);
    }
  }

  private static boolean ledHere(RangeInfo ri) {
    return ri.leader() == 1;
  }

  @AfterAll
  static void stopNode() {
    server.shutdownNow();
    service.close();
    runtime.close();
    store.close();
  }

  @BeforeEach
  void clean() {
    outBytes.reset();
    errBytes.reset();
  }

  private int kv(String... args) {
    outBytes.reset();
    errBytes.reset();
    String[] all = new String[args.length + 3];
    all[0] = "kv";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--addr";
    all[args.length + 2] = address;
    return main.run(List.of(all));
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void putThenGetPrintsTheValue() {
    assertEquals(0, kv("put", "greeting", "hello world"));
    assertEquals("ok\n", out());
    assertEquals(0, kv("get", "greeting"));
    assertEquals("hello world\n", out());
    assertEquals(0, kv("del", "greeting"));
    assertEquals(1, kv("get", "greeting"));
    assertEquals("(not found)\n", out());
    assertEquals("", err());
  }

  @Test
  void scanPrintsPairsInKeyOrderWithinBoundsAndLimit() {
    for (String k : List.of("s3", "s1", "s2", "t1")) {
      assertEquals(0, kv("put", k, "v" + k));
    }
    assertEquals(0, kv("scan", "s", "t"));
    assertEquals("s1\tvs1\ns2\tvs2\ns3\tvs3\n", out());
    assertEquals(0, kv("scan", "s2", "--limit", "2"));
    assertEquals("s2\tvs2\ns3\tvs3\n", out());
  }

  @Test
  void casSwapsOnlyOnAMatch() {
    assertEquals(0, kv("cas", "--absent", "c", "1"));
    assertEquals("ok\n", out());
    assertEquals(1, kv("cas", "c", "9", "2"));
    assertEquals("1\n", out());
    assertEquals(0, kv("cas", "c", "1", "2"));
    assertEquals(0, kv("cas", "--delete", "c", "2"));
    assertEquals(1, kv("cas", "--delete", "c", "2"));
    assertEquals("(not found)\n", out());
  }

  @Test
  void badArgumentsAreNamedAndEveryOperationHasHelp() {
    assertEquals(2, kv("put", "only-a-key"));
    assertTrue(err().startsWith("flotilla kv: put needs 2 arguments"), err());
    assertEquals(2, kv("frob", "x"));
    assertTrue(err().startsWith("flotilla kv: unknown operation 'frob'"), err());
    assertEquals(2, kv("get", "k", "--limit", "3"));
    assertTrue(err().startsWith("flotilla kv: option '--limit' applies to scan only"), err());
    assertEquals(2, main.run(List.of("kv", "get", "k", "--addr", "nohost")));
    for (String op : List.of("put", "get", "del", "scan", "cas")) {
      outBytes.reset();
      assertEquals(0, main.run(List.of("kv", op, "--help")));
      assertTrue(out().startsWith("usage: flotilla kv " + op), out());
    }
    outBytes.reset();
    assertEquals(0, main.run(List.of("kv", "--help")));
    assertTrue(out().startsWith("usage: flotilla kv <put|get|del|scan|cas>"), out());
  }

  @Test
  void anUnreachableClusterFailsWithExitOneNamingTheKey() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertEquals(1, main.run(List.of("kv", "put", "k", "v", "--addr", "127.0.0.1:" + port,
        "--timeout", "1")));
    assertTrue(err().startsWith("flotilla kv put: failed: put key 'k': no success"), err());
  }
}
