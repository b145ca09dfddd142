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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
  private static final int CLIENTS = 4;
  /** User keys on different ranges (the demo splits at g, n and t). */
  private static final List<String> KEYS = List.of("a1", "b2", "h1", "o1", "u1");
  private static final long CHECK_STEPS = 50_000_000L;

  @TempDir
  Path dir;

  private DemoCluster cluster;

  @AfterEach
  void cleanUp() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void historyStaysLinearizableUnderKillsPausesAndRestarts() throws Exception {
    long seconds = Long.getLong("flotilla.fault.seconds", 20);
    long seed = Long.getLong("flotilla.fault.seed", System.nanoTime());
    System.out.println("ClusterFaultTest: seed " + seed + " (-Dflotilla.fault.seed=" + seed
        + " replays the nemesis schedule), " + seconds + " s");
    long start = System.nanoTime();

    cluster = new DemoCluster(dir, "cluster-fault-logs");
    cluster.start();
    List<String> addresses = cluster.addresses();

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
    Pause.millis(1000 + nemesis.nextInt(1000));
    boolean killNext = nemesis.nextBoolean();
    while (System.nanoTime() < end - TimeUnit.SECONDS.toNanos(2)) {
      cluster.checkAlive("before a nemesis step");
      cluster.restartMissing(Duration.ofSeconds(20));
      // Alternates kills and pauses (seeded first pick), so a short run sees both.
      if (killNext) {
        int victim = cluster.mostLeader(nemesis);
        cluster.kill(victim);
        Pause.millis(2000 + nemesis.nextInt(2000));
        cluster.restart(victim);
        cluster.awaitLive(Duration.ofSeconds(20));
      } else {
        int victim = 1 + nemesis.nextInt(DemoCluster.NODES);
        cluster.pause(victim);
        Pause.millis(2000 + nemesis.nextInt(2000));
        cluster.resume(victim);
      }
      killNext = !killNext;
      Pause.millis(1000 + nemesis.nextInt(2000));
    }
    for (Thread t : clients) {
      t.join();
    }
    cluster.heal(Duration.ofSeconds(30));
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
        ok[0], unknown[0], failed[0], cluster.kills.get(), cluster.pauses.get(),
        cluster.restarts.get(), cluster.unexpectedDeaths().size(), ops.size(),
        result, elapsed / 1000.0, seed);
    assertTrue(ok[0] > 0, "no operation succeeded");
    assertTrue(cluster.unexpectedDeaths().isEmpty(), "node processes died without being"
        + " killed: " + cluster.unexpectedDeaths());
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
}
