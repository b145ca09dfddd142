package io.flotilla.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.flotilla.check.CheckResult;
import io.flotilla.check.KvModel;
import io.flotilla.check.LinearizabilityChecker;
import io.flotilla.check.Operation;
import io.flotilla.multiraft.client.AmbiguousResultException;
import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.KvClientOptions;
import io.flotilla.multiraft.client.KvException;
import io.flotilla.multiraft.node.PeerClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A multi-process fault test: three real {@code flotilla start} JVMs (started as {@code flotilla
 * demo --detach} does), four concurrent clients doing puts and gets on a few keys spread over
 * several ranges, and a seeded nemesis that SIGKILLs the node leading the most ranges and
 * restarts it with its data, and SIGSTOPs/SIGCONTs a random node. Never more than one node is
 * down or paused at a time. The history is checked for linearizability, including a final read
 * of every key after the cluster is healed (so no acknowledged write may be lost).
 *
 * <p>{@code -Dflotilla.fault.seconds=N} runs the workload for N seconds (default 20);
 * {@code -Dflotilla.fault.seed=S} replays the nemesis schedule (the actions and their timing;
 * which node leads the most ranges is decided by the cluster at run time).
 */
class ClusterFaultTest {
  private static final int NODES = 3;
  private static final int CLIENTS = 4;
  /** User keys on different ranges (the demo splits at g, n and t). */
  private static final List<String> KEYS = List.of("a1", "b2", "h1", "o1", "u1");
  private static final long CHECK_STEPS = 50_000_000L;

  @TempDir
  Path dir;

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final Main main = new Main(new PrintStream(outBytes, true, StandardCharsets.UTF_8),
      new PrintStream(errBytes, true, StandardCharsets.UTF_8), 2);

  private int base;
  private final ProcessHandle[] nodes = new ProcessHandle[NODES + 1];
  private final boolean[] paused = new boolean[NODES + 1];
  /** The Process of a node this test started itself (restarts), for its exit status. */
  private final Process[] processes = new Process[NODES + 1];

  private final AtomicInteger kills = new AtomicInteger();
  private final AtomicInteger pauses = new AtomicInteger();
  private final AtomicInteger restarts = new AtomicInteger();

  /** Nodes that died without the nemesis killing them: a product failure. */
  private final List<String> unexpectedDeaths = Collections.synchronizedList(new ArrayList<>());

  /** Records any node that is dead though the nemesis did not kill it. */
  private void checkAlive(String when) {
    for (int i = 1; i <= NODES; i++) {
      ProcessHandle h = nodes[i];
      if (h != null && !h.isAlive()) {
        String exit = processes[i] != null && !processes[i].isAlive()
            ? "exit " + processes[i].exitValue() : "exit unknown";
        String msg = "node " + i + " (pid " + h.pid() + ", " + exit + ") found dead " + when
            + "; end of its log:\n" + tail(dir.resolve("n" + i + "/node.log"), 20);
        System.out.println("UNEXPECTED DEATH: " + msg);
        unexpectedDeaths.add(msg);
        nodes[i] = null;
      }
    }
  }

  private static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read it: " + e.getMessage() + ")";
    }
  }

  @AfterEach
  void cleanUp() throws IOException {
    // Keep the node logs for a post-mortem.
    Path keep = Path.of("target", "cluster-fault-logs");
    Files.createDirectories(keep);
    for (int i = 1; i <= NODES; i++) {
      Path log = dir.resolve("n" + i + "/node.log");
      if (Files.exists(log)) {
        Files.copy(log, keep.resolve("n" + i + ".log"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (int i = 1; i <= NODES; i++) {
      ProcessHandle h = nodes[i];
      if (h != null && h.isAlive()) {
        signal(h, "CONT");
        h.destroyForcibly();
        try {
          h.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          // best effort
        }
      }
    }
    // Anything started for this directory that the handles above missed.
    for (long pid : DemoCommand.runningPids(dir)) {
      ProcessHandle.of(pid).ifPresent(h -> {
        signal(h, "CONT");
        h.destroyForcibly();
      });
    }
  }

  @Test
  void historyStaysLinearizableUnderKillsPausesAndRestarts() throws Exception {
    long seconds = Long.getLong("flotilla.fault.seconds", 20);
    long seed = Long.getLong("flotilla.fault.seed", System.nanoTime());
    System.out.println("ClusterFaultTest: seed " + seed + " (-Dflotilla.fault.seed=" + seed
        + " replays the nemesis schedule), " + seconds + " s");
    long start = System.nanoTime();

    base = DemoCommandTest.freeBasePort();
    int code = main.run(List.of("demo", "--dir", dir.toString(), "--base-port",
        String.valueOf(base), "--detach"));
    assertEquals(0, code, "demo failed\nout: " + outBytes.toString(StandardCharsets.UTF_8)
        + "\nerr: " + errBytes.toString(StandardCharsets.UTF_8));
    for (int i = 1; i <= NODES; i++) {
      long pid = Long.parseLong(Files.readString(dir.resolve("n" + i + "/pid")).strip());
      nodes[i] = ProcessHandle.of(pid).orElseThrow();
    }
    List<String> addresses = new ArrayList<>();
    for (int i = 1; i <= NODES; i++) {
      addresses.add(address(i));
    }

    List<Operation<KvModel.Op<String, String>, String>> history =
        Collections.synchronizedList(new ArrayList<>());
    int[] ok = new int[1];
    int[] unknown = new int[1];
    int[] failed = new int[1];
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);

    List<Thread> clients = new ArrayList<>();
    List<Throwable> clientErrors = Collections.synchronizedList(new ArrayList<>());
    for (int c = 0; c < CLIENTS; c++) {
      int id = c;
      long clientSeed = seed * 31 + c;
      Thread t = new Thread(() -> {
        try {
          runClient(id, clientSeed, addresses, end, history, ok, unknown, failed);
        } catch (Throwable e) {
          clientErrors.add(e);
        }
      }, "fault-client-" + c);
      t.start();
      clients.add(t);
    }

    Random nemesis = new Random(seed);
    try (PeerClients peers = new PeerClients()) {
      Pause.millis(1000 + nemesis.nextInt(1000));
      boolean killNext = nemesis.nextBoolean();
      while (System.nanoTime() < end - TimeUnit.SECONDS.toNanos(2)) {
        checkAlive("before a nemesis step");
        for (int i = 1; i <= NODES; i++) {
          if (nodes[i] == null) {
            restart(i);
            awaitLive(addresses, peers, Duration.ofSeconds(20));
          }
        }
        // Alternates kills and pauses (seeded first pick), so a short run sees both.
        if (killNext) {
          int victim = mostLeader(addresses, peers, nemesis);
          System.out.println("nemesis: SIGKILL node " + victim);
          ProcessHandle h = nodes[victim];
          nodes[victim] = null; // killed on purpose, not an unexpected death
          h.destroyForcibly();
          h.onExit().get(30, TimeUnit.SECONDS);
          kills.incrementAndGet();
          Pause.millis(2000 + nemesis.nextInt(2000));
          restart(victim);
          System.out.println("nemesis: restarted node " + victim);
          awaitLive(addresses, peers, Duration.ofSeconds(20));
        } else {
          int victim = 1 + nemesis.nextInt(NODES);
          System.out.println("nemesis: SIGSTOP node " + victim);
          signal(nodes[victim], "STOP");
          paused[victim] = true;
          pauses.incrementAndGet();
          Pause.millis(2000 + nemesis.nextInt(2000));
          signal(nodes[victim], "CONT");
          paused[victim] = false;
          System.out.println("nemesis: SIGCONT node " + victim);
        }
        killNext = !killNext;
        Pause.millis(1000 + nemesis.nextInt(2000));
      }
      for (Thread t : clients) {
        t.join();
      }
      // Heal: everything running, nothing stopped.
      checkAlive("when healing");
      for (int i = 1; i <= NODES; i++) {
        if (nodes[i] == null) {
          restart(i);
          continue;
        }
        if (paused[i]) {
          signal(nodes[i], "CONT");
          paused[i] = false;
        }
        if (!nodes[i].isAlive()) {
          restart(i);
        }
      }
      awaitLive(addresses, peers, Duration.ofSeconds(30));
    }
    assertTrue(clientErrors.isEmpty(), "client thread failed: " + clientErrors);

    // Final reads after healing: every acknowledged write must still be visible.
    try (KvClient client = new KvClient(addresses)) {
      for (String key : KEYS) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
          long invoke = System.nanoTime();
          try {
            byte[] v = client.get(key.getBytes(StandardCharsets.UTF_8));
            String value = v == null ? null : new String(v, StandardCharsets.UTF_8);
            history.add(KvModel.get(CLIENTS, key, value, invoke, System.nanoTime()));
            System.out.println("final " + key + " = " + value);
            break;
          } catch (RuntimeException e) {
            if (System.nanoTime() > deadline) {
              fail("final read of " + key + " after healing kept failing: " + e, e);
            }
            Pause.millis(200);
          }
        }
      }
    }

    List<Operation<KvModel.Op<String, String>, String>> ops = new ArrayList<>(history);
    CheckResult result = LinearizabilityChecker.check(new KvModel<>(), ops, CHECK_STEPS);
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.printf("ClusterFaultTest summary: ops ok %d / unknown %d / failed %d; kills %d,"
            + " pauses %d, restarts %d, unexpected deaths %d; history %d ops; check %s; elapsed %.1f s; seed %d%n",
        ok[0], unknown[0], failed[0], kills.get(), pauses.get(), restarts.get(), unexpectedDeaths.size(), ops.size(),
        result, elapsed / 1000.0, seed);
    assertTrue(ok[0] > 0, "no operation succeeded");
    assertTrue(unexpectedDeaths.isEmpty(), "node processes died without being killed: "
        + unexpectedDeaths);
    if (result.verdict() == CheckResult.Verdict.UNKNOWN) {
      fail("the linearizability checker ran out of its budget of " + CHECK_STEPS + " steps on "
          + ops.size() + " operations (" + unknown[0] + " unknown): shorten the run or raise"
          + " the budget; seed " + seed + ": " + result);
    }
    assertEquals(CheckResult.Verdict.LINEARIZABLE, result.verdict(),
        "history not linearizable (seed " + seed + "): " + result);
  }

  private static void runClient(int id, long seed, List<String> addresses, long end,
      List<Operation<KvModel.Op<String, String>, String>> history, int[] ok, int[] unknown,
      int[] failed) {
    SplittableRandom random = new SplittableRandom(seed);
    KvClientOptions options = KvClientOptions.defaults().withJitterSeed(seed)
        .withTotalTimeout(Duration.ofSeconds(8));
    int n = 0;
    try (KvClient client = new KvClient(addresses, options)) {
      while (System.nanoTime() < end) {
        String key = KEYS.get(random.nextInt(KEYS.size()));
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(2) == 0) {
          String value = "c" + id + "-" + n++;
          long invoke = System.nanoTime();
          try {
            client.put(k, value.getBytes(StandardCharsets.UTF_8));
            history.add(KvModel.put(id, key, value, invoke, System.nanoTime()));
            count(ok);
          } catch (AmbiguousResultException e) {
            history.add(KvModel.putUnknown(id, key, value, invoke));
            count(unknown);
          } catch (KvException e) {
            count(failed); // certainly did not happen: constrains nothing
          } catch (RuntimeException e) {
            // Anything else (a deadline, a channel error): the outcome is unknown.
            history.add(KvModel.putUnknown(id, key, value, invoke));
            count(unknown);
          }
        } else {
          long invoke = System.nanoTime();
          try {
            byte[] v = client.get(k);
            history.add(KvModel.get(id, key,
                v == null ? null : new String(v, StandardCharsets.UTF_8), invoke,
                System.nanoTime()));
            count(ok);
          } catch (RuntimeException e) {
            count(failed); // a failed read constrains nothing
          }
        }
        // Keeps the history small enough for the checker.
        Pause.millis(5 + random.nextInt(20));
      }
    }
  }

  private static synchronized void count(int[] counter) {
    counter[0]++;
  }

  private String address(int index) {
    return "127.0.0.1:" + (base + index - 1);
  }

  /** Starts node {@code index} again on its store and port, as the demo first did. */
  private void restart(int index) throws IOException {
    Path home = dir.resolve("n" + index);
    List<String> cmd = new ArrayList<>(DemoCommand.currentJava());
    cmd.addAll(List.of("start", "--store", home.resolve("store").toString(), "--listen",
        address(index), "--http", "127.0.0.1:" + (base + index - 1 + 1000)));
    if (index > 1) {
      cmd.addAll(List.of("--join", "127.0.0.1:" + base));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("node.log").toFile()))
        .start();
    Files.writeString(home.resolve("pid"), p.pid() + "\n");
    nodes[index] = p.toHandle();
    processes[index] = p;
    restarts.incrementAndGet();
  }

  /** The node (1-based index) that leads the most ranges, or a random one if unknown. */
  private int mostLeader(List<String> addresses, PeerClients peers, Random nemesis) {
    int fallback = 1 + nemesis.nextInt(NODES); // drawn always, to keep the schedule replayable
    try {
      ClusterStatus s = ClusterStatus.gather(addresses, peers, Duration.ofSeconds(2));
      Map<Long, Integer> leads = new HashMap<>();
      for (ClusterStatus.RangeView r : s.ranges) {
        if (r.confirmed() && r.leader() != 0) {
          leads.merge(r.leader(), 1, Integer::sum);
        }
      }
      long best = leads.entrySet().stream().max(Map.Entry.comparingByValue())
          .map(Map.Entry::getKey).orElse(0L);
      for (ClusterStatus.NodeView n : s.nodes) {
        if (n.id() == best) {
          int port = Integer.parseInt(n.address().substring(n.address().lastIndexOf(':') + 1));
          int index = port - base + 1;
          if (index >= 1 && index <= NODES) {
            return index;
          }
        }
      }
    } catch (RuntimeException e) {
      // no status: fall back to a random node
    }
    return fallback;
  }

  /** Waits until every node answers its status (bounded; the clients cope either way). */
  private void awaitLive(List<String> addresses, PeerClients peers, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        ClusterStatus s = ClusterStatus.gather(addresses, peers, Duration.ofSeconds(2));
        if (s.nodes.size() == NODES && s.nodes.stream().allMatch(ClusterStatus.NodeView::live)
            && s.ranges.stream().allMatch(ClusterStatus.RangeView::confirmed)) {
          return;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      Pause.millis(200);
    }
    System.out.println("nemesis: the cluster was not fully live within " + timeout);
  }

  private static void signal(ProcessHandle h, String sig) {
    try {
      Process p = new ProcessBuilder("kill", "-" + sig, String.valueOf(h.pid()))
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The nemesis's and clients' deliberate pauses (fault durations, pacing): not waits. */
  private static final class Pause {
    static void millis(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }
}
