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
 * the loss of a node (SIGKILL) leaving the cluster writable, {@code flotilla status} seeing it,
 * and {@code flotilla demo stop}.
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

      long victim = Long.parseLong(Files.readString(dir.resolve("n1/pid")).strip());
      ProcessHandle h = ProcessHandle.of(victim).orElseThrow();
      h.destroyForcibly();
      h.onExit().get(30, TimeUnit.SECONDS);

      run(0, "kv", "put", "b", "2", "--addr", addrs);
      assertEquals("2\n", run(0, "kv", "get", "b", "--addr", addrs));
      assertEquals("1\n", run(0, "kv", "get", "a", "--addr", addrs));
      String status = run(0, "status", "--addr", addrs);
      assertTrue(status.contains("3 nodes (2 live), 5 ranges"), status);
    } finally {
      run(0, "demo", "stop", "--dir", dir.toString());
    }
    assertEquals(List.of(), DemoCommand.runningPids(dir));
    assertTrue(Files.readString(dir.resolve("n2/node.log")).contains("stopped"),
        "a stopped node shuts down cleanly");
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
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String out = run(0, "status", "--addr", addrs);
    while (!done.test(out) && System.nanoTime() < deadline) {
      Thread.sleep(200); // a maintenance round is 1 s: poll a few times per round
      out = run(0, "status", "--addr", addrs);
    }
    return out;
  }
}
