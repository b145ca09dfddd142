package io.flotilla.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flotilla demo} end to end: three real node processes, KV through {@code flotilla kv},
 * a fourth node started as the README says ({@code flotilla start ... --join}) taking its share
 * of the replicas from the placement driver, the loss of a node (SIGKILL) leaving the cluster
 * writable, {@code flotilla status} seeing it, and {@code flotilla demo stop}.
 */
class DemoCommandTest {
  @TempDir
  Path dir;

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final Main main = new Main(new PrintStream(outBytes, true, StandardCharsets.UTF_8),
      new PrintStream(errBytes, true, StandardCharsets.UTF_8), 2);

  private String run(int expectedExit, String... args) {
    outBytes.reset();
    errBytes.reset();
    int code = main.run(List.of(args));
    String out = outBytes.toString(StandardCharsets.UTF_8);
    assertEquals(expectedExit, code, String.join(" ", args) + "\nout: " + out + "\nerr: "
        + errBytes.toString(StandardCharsets.UTF_8));
    return out;
  }

  @Test
  void threeNodeProcessesStayWritableWhenOneIsKilled() throws Exception {
    int base = freeBasePort();
    String addrs = "127.0.0.1:" + base + ",127.0.0.1:" + (base + 1) + ",127.0.0.1:"
        + (base + 2);
    Process fourth = null;
    try {
      String demo = run(0, "demo", "--dir", dir.toString(), "--base-port",
          String.valueOf(base), "--detach");
      assertTrue(demo.contains("A 3-node Flotilla cluster is running"), demo);
      assertTrue(demo.contains("[\"g\", \"n\")"), demo);
      assertTrue(demo.contains("./flotilla kv put a 1 --addr " + addrs), demo);
      assertEquals(3, DemoCommand.runningPids(dir).size());
      // A second demo on the same directory refuses to start.
      run(1, "demo", "--dir", dir.toString(), "--base-port", String.valueOf(base + 10));

      run(0, "kv", "put", "a", "1", "--addr", addrs);
      assertEquals("1\n", run(0, "kv", "get", "a", "--addr", addrs));
      // Each range's leader records its descriptor in the system range within a maintenance
      // round or two of the demo's splits; status compares the two.
      String settled = awaitStatus(addrs, st -> st.contains(" meta ") && st.contains(" ok "));
      assertTrue(settled.contains(" ok "), "the range table compares ranges with their meta"
          + " records: " + settled);

      fourth = startFourthNode(base);
      String stores = awaitOutput(st -> replicasOf(st, 4) >= 3, "stores", "--addr", addrs);
      assertTrue(replicasOf(stores, 4) >= 3, "node 4 takes its share of the 15 replicas: "
          + stores);
      String operators = run(0, "operators", "--addr", addrs);
      assertTrue(operators.contains("SUCCEEDED") && operators.contains("MoveReplica"),
          "the moves are decisions with their outcomes: " + operators);

      long victim = Long.parseLong(Files.readString(dir.resolve("n1/pid")).strip());
      ProcessHandle h = ProcessHandle.of(victim).orElseThrow();
      h.destroyForcibly();
      h.onExit().get(30, TimeUnit.SECONDS);

      run(0, "kv", "put", "b", "2", "--addr", addrs);
      assertEquals("2\n", run(0, "kv", "get", "b", "--addr", addrs));
      assertEquals("1\n", run(0, "kv", "get", "a", "--addr", addrs));
      String status = run(0, "status", "--addr", addrs);
      assertTrue(status.contains("4 nodes (3 live), 5 ranges"), status);
    } finally {
      run(0, "demo", "stop", "--dir", dir.toString());
      if (fourth != null) {
        fourth.destroy();
        fourth.waitFor(30, TimeUnit.SECONDS);
      }
    }
    assertEquals(List.of(), DemoCommand.runningPids(dir));
    assertTrue(Files.readString(dir.resolve("n2/node.log")).contains("stopped"),
        "a stopped node shuts down cleanly");
  }

  /** The README's command for a fourth node, as a process of its own. */
  private Process startFourthNode(int base) throws IOException {
    List<String> cmd = new java.util.ArrayList<>(DemoCommand.currentJava());
    cmd.addAll(List.of("start", "--store", dir.resolve("n4").toString(), "--listen",
        "127.0.0.1:" + (base + 3), "--join", "127.0.0.1:" + base));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("n4.log").toFile()).start();
  }

  /** The RANGES column of store {@code id} in {@code flotilla stores}' table, or -1. */
  private static int replicasOf(String stores, long id) {
    for (String line : stores.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 3 && f[0].equals(String.valueOf(id))) {
        return Integer.parseInt(f[3]);
      }
    }
    return -1;
  }

  /** A base port whose three node ports and three metrics ports are free now. */
  static int freeBasePort() {
    SplittableRandom random = new SplittableRandom();
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = random.nextInt(20_000, 30_000);
      boolean free = true;
      for (int i = 0; i < 3 && free; i++) {
        free = free(base + i) && free(base + i + 1000);
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no free ports");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Runs {@code status} until its output passes {@code done} (30 s at most); the last output. */
  private String awaitStatus(String addrs, java.util.function.Predicate<String> done)
      throws Exception {
    return awaitOutput(done, "status", "--addr", addrs);
  }

  /** Runs a command until its output passes {@code done} (60 s at most); the last output. */
  private String awaitOutput(java.util.function.Predicate<String> done, String... args)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String out = run(0, args);
    while (!done.test(out) && System.nanoTime() < deadline) {
      Thread.sleep(200); // a maintenance or driver round is 1 s: poll a few times per round
      out = run(0, args);
    }
    return out;
  }
}
