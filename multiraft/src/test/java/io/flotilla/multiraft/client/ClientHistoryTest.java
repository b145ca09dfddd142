package io.flotilla.multiraft.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.check.CheckResult;
import io.flotilla.check.LinearizabilityChecker;
import io.flotilla.check.Operation;
import io.flotilla.check.RegisterModel;
import io.flotilla.check.RegisterModel.Input;
import io.flotilla.check.RegisterModel.Output;
import io.flotilla.multiraft.kv.KvCluster;
import io.flotilla.multiraft.kv.Keyspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients hammer one register while its leader's node is killed; their history, recorded the way
 * the client's exceptions say (an ambiguous write as unknown, a certain failure not at all), must
 * be linearizable. This checks the client's retry rules end to end: a write retried after it may
 * have applied, or reported failed when it had applied, shows up as a violation.
 */
class ClientHistoryTest {
  private static final int CLIENTS = 3;
  private static final long RUN_MILLIS = 3000;
  private static final long KILL_AT_MILLIS = 1000;

  @TempDir
  Path dir;

  private final AtomicLong clock = new AtomicLong();
  private final List<Operation<Input, Output>> history =
      Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger ambiguous = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger okAfterKill = new AtomicInteger();
  private volatile boolean killed;

  private static byte[] enc(int v) {
    return Integer.toString(v).getBytes(StandardCharsets.UTF_8);
  }

  private static Integer dec(byte[] v) {
    return v == null ? null : Integer.valueOf(new String(v, StandardCharsets.UTF_8));
  }

  @Test
  void aRegisterStaysLinearizableWhileItsLeaderDies() throws Exception {
    try (KvCluster cluster = KvCluster.start(dir, 3)) {
      long leader = cluster.leaderOf(Keyspace.FIRST_USER_RANGE_ID);
      List<Thread> threads = new ArrayList<>();
      long end = System.currentTimeMillis() + RUN_MILLIS;
      for (int c = 0; c < CLIENTS; c++) {
        int id = c;
        KvClient client = new KvClient(List.of(cluster.address(leader)),
            KvClientOptions.defaults().withTotalTimeout(Duration.ofSeconds(3))
                .withJitterSeed(id));
        Thread t = new Thread(() -> {
          try (client) {
            SplittableRandom rnd = new SplittableRandom(100 + id);
            while (System.currentTimeMillis() < end) {
              step(id, client, rnd);
            }
          }
        }, "client-" + id);
        threads.add(t);
        t.start();
      }
      Thread.sleep(KILL_AT_MILLIS);
      cluster.kill(leader);
      killed = true;
      for (Thread t : threads) {
        t.join();
      }
    }
    CheckResult result = LinearizabilityChecker.check(new RegisterModel(), history, 10_000_000);
    String summary = history.size() + " operations, " + ambiguous + " ambiguous, " + failed
        + " failed, " + okAfterKill + " ok after the kill: " + result;
    System.out.println("ClientHistoryTest: " + summary);
    assertTrue(result.isLinearizable(), summary);
    assertTrue(okAfterKill.get() > 0, "the register stayed available: " + summary);
  }

  private void step(int id, KvClient client, SplittableRandom rnd) {
    byte[] key = "r".getBytes(StandardCharsets.UTF_8);
    int kind = rnd.nextInt(10);
    Input input = kind < 4 ? new RegisterModel.Read()
        : kind < 7 ? new RegisterModel.Write(rnd.nextInt(5))
        : new RegisterModel.Cas(rnd.nextInt(5), rnd.nextInt(5));
    long invoke = clock.incrementAndGet();
    try {
      Output output = switch (input) {
        case RegisterModel.Read r -> Output.read(dec(client.get(key)));
        case RegisterModel.Write w -> {
          client.put(key, enc(w.value()));
          yield Output.success();
        }
        case RegisterModel.Cas cas -> client.compareAndSet(key, enc(cas.expected()),
            enc(cas.newValue())).succeeded() ? Output.success() : Output.failure();
      };
      history.add(new Operation<>(id, input, output, invoke, clock.incrementAndGet()));
      if (killed) {
        okAfterKill.incrementAndGet();
      }
    } catch (AmbiguousResultException e) {
      ambiguous.incrementAndGet();
      history.add(Operation.unknown(id, input, invoke));
    } catch (KvException e) {
      // Certainly without effect: it belongs in no history.
      failed.incrementAndGet();
    }
  }
}
