package io.flotilla.placement.tso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.flotilla.config.HostPort;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.node.NodeConfig;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.flotilla.multiraft.transport.TransportOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes over gRPC on loopback, each with the timestamp oracle installed; two
 * clients (five callers) fetch timestamps without pause while the test forces 20 leader
 * failovers of the system range: 16 leadership transfers and 4 stops of the leading node
 * (restarted with its data on a new port). Every call's timestamps must be above those of every
 * call that completed before it was made (across all callers and clients), and no timestamp may
 * be handed out twice.
 */
class TsoClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int FAILOVERS = 20;
  private static final int RESTART_EVERY = 5;
  private static final long SYSTEM = Keyspace.SYSTEM_RANGE_ID;

  @TempDir
  Path dir;

  private final Map<Long, Node> nodes = new TreeMap<>();
  private final Map<Long, String> names = new TreeMap<>();
  private final List<Node> started = new ArrayList<>();
  private final List<TsoClient> clients = new ArrayList<>();
  private final List<Thread> callers = new ArrayList<>();
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean stop;

  /** One completed call: logical invocation and response times from one shared counter. */
  private record Call(int caller, long invoked, long responded, long first, int count) {
    long last() {
      return first + count - 1;
    }
  }

  private final AtomicLong clock = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final List<List<Call>> calls = new ArrayList<>();

  private NodeConfig config(String name, List<HostPort> join) {
    return NodeConfig.of(dir.resolve(name), new HostPort("127.0.0.1", 0), join)
        .withRuntime(new RuntimeOptions(20, 10, 3, 100_000))
        .withTransport(TransportOptions.DEFAULTS.withLivenessTimeout(Duration.ofMillis(400))
            .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200)))
        .withTimings(Duration.ofMillis(100), Duration.ofSeconds(1))
        .withHttp(Optional.empty());
  }

  private Node start(String name, List<HostPort> join) {
    Node n = Node.start(config(name, join), line -> log.add(name + ": " + line),
        List.of(TimestampOracle.extension(TsoOptions.DEFAULTS)));
    nodes.put(n.nodeId(), n);
    names.put(n.nodeId(), name);
    started.add(n);
    return n;
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    stop = true;
    for (Thread t : callers) {
      t.join(30_000);
    }
    clients.forEach(TsoClient::close);
    started.forEach(Node::close);
  }

  @Test
  void timestampsOnlyGrowAcrossTwentySystemRangeFailovers() throws Exception {
    Node n1 = start("n1", List.of());
    start("n2", List.of(HostPort.parse(n1.address())));
    start("n3", List.of(HostPort.parse(n1.address())));
    await("the system range has three voters on every node", () -> nodes.values().stream()
        .allMatch(n -> system(n).map(ri -> ri.descriptor().members().voters().size() == 3
            && ri.descriptor().members().learners().isEmpty()).orElse(false)));

    List<String> addresses = nodes.values().stream().map(Node::address).toList();
    TsoClient.Options options = TsoClient.Options.DEFAULTS.withTotalTimeout(WAIT);
    TsoClient a = new TsoClient(addresses, options);
    TsoClient b = new TsoClient(addresses, options);
    clients.add(a);
    clients.add(b);
    for (int i = 0; i < 5; i++) {
      startCaller(i, i < 3 ? a : b);
    }
    awaitProgress(200);

    int transfers = 0;
    int restarts = 0;
    for (int f = 1; f <= FAILOVERS; f++) {
      long before = leader();
      if (f % RESTART_EVERY == 0) {
        restartLeader(before);
        restarts++;
      } else {
        transferLeadership(before);
        transfers++;
      }
      awaitProgress(100); // the new leader served
      log.add("test: failover " + f + " done: system range led by node " + leader());
    }
    stop = true;
    for (Thread t : callers) {
      t.join(WAIT.toMillis());
    }
    assertEquals(0, failures.get(), "calls that failed: " + failures + "; log " + log);

    List<Call> all = new ArrayList<>();
    calls.forEach(all::addAll);
    long timestamps = check(all);
    System.out.printf("TsoClusterTest: %d calls (%d timestamps) by 5 callers on 2 clients"
        + " (%d + %d RPCs) checked across %d system-range failovers (%d transfers, %d leader"
        + " restarts): strictly increasing in real-time order, none repeated%n", all.size(),
        timestamps, a.rpcs(), b.rpcs(), transfers + restarts, transfers, restarts);
    assertEquals(FAILOVERS, transfers + restarts);
    assertTrue(log.stream().filter(l -> l.contains("tso: node") && l.contains("serves"))
        .count() >= FAILOVERS, "each new leader took over the mark: " + log);
  }

  // ------------------------------------------------------------------ the load

  private void startCaller(int id, TsoClient client) {
    List<Call> mine = Collections.synchronizedList(new ArrayList<>());
    calls.add(mine);
    Thread t = new Thread(() -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (!stop) {
        int count = random.nextInt(10) == 0 ? 1 + random.nextInt(500) : 1 + random.nextInt(4);
        long invoked = clock.incrementAndGet();
        try {
          long first = client.getTimestamps(count).get();
          long responded = clock.incrementAndGet();
          mine.add(new Call(id, invoked, responded, first, count));
          completed.incrementAndGet();
        } catch (Exception e) {
          failures.incrementAndGet();
          log.add("caller " + id + ": " + e);
        }
      }
    }, "tso-caller-" + id);
    t.setDaemon(true);
    callers.add(t);
    t.start();
  }

  /**
   * Real-time order: a call that was made after another completed got larger timestamps. Also
   * per caller (its calls complete in order) and uniqueness over all timestamps.
   *
   * @return the number of timestamps checked
   */
  private static long check(List<Call> all) {
    // Per caller, in completion order.
    Map<Integer, List<Call>> byCaller = new TreeMap<>();
    all.forEach(c -> byCaller.computeIfAbsent(c.caller(), k -> new ArrayList<>()).add(c));
    for (List<Call> cs : byCaller.values()) {
      cs.sort(Comparator.comparingLong(Call::responded));
      for (int i = 1; i < cs.size(); i++) {
        if (cs.get(i).first() <= cs.get(i - 1).last()) {
          fail("caller got " + cs.get(i) + " after " + cs.get(i - 1));
        }
      }
    }
    // Globally: against the largest timestamp of every call that responded before it began.
    List<Call> byResponse = new ArrayList<>(all);
    byResponse.sort(Comparator.comparingLong(Call::responded));
    long[] responded = new long[byResponse.size()];
    long[] maxLast = new long[byResponse.size()];
    long max = Long.MIN_VALUE;
    for (int i = 0; i < responded.length; i++) {
      responded[i] = byResponse.get(i).responded();
      max = Math.max(max, byResponse.get(i).last());
      maxLast[i] = max;
    }
    for (Call c : all) {
      int before = lowerBound(responded, c.invoked()) - 1; // calls with responded < invoked
      if (before >= 0 && c.first() <= maxLast[before]) {
        fail(c + " was made after a call that got up to " + maxLast[before] + " completed");
      }
    }
    // No timestamp twice.
    List<Call> byFirst = new ArrayList<>(all);
    byFirst.sort(Comparator.comparingLong(Call::first));
    long timestamps = 0;
    for (int i = 0; i < byFirst.size(); i++) {
      timestamps += byFirst.get(i).count();
      if (i > 0 && byFirst.get(i).first() <= byFirst.get(i - 1).last()) {
        fail("timestamps handed out twice: " + byFirst.get(i - 1) + " and " + byFirst.get(i));
      }
    }
    return timestamps;
  }

  /** The first index whose value is >= key. */
  private static int lowerBound(long[] sorted, long key) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // ------------------------------------------------------------------ failovers

  private void transferLeadership(long from) {
    List<Long> others = nodes.keySet().stream().filter(id -> id != from).toList();
    long target = others.get(ThreadLocalRandom.current().nextInt(others.size()));
    await("node " + target + " leads the system range (from node " + from + ")", () -> {
      long current = leader();
      if (current == target) {
        return true;
      }
      if (current != 0 && caughtUp(target)) {
        try {
          nodes.get(current).runtime().transferLeader(SYSTEM, target).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
          // Not the leader any more: the next round asks whoever leads then.
        }
      }
      // A transfer lands within an election timeout or is abandoned; then ask again.
      return poll(() -> leader() == target, Duration.ofSeconds(1));
    });
  }

  private void restartLeader(long victim) {
    String name = names.get(victim);
    Node old = nodes.remove(victim);
    old.close();
    await("another node leads the system range after node " + victim + " stopped",
        () -> leader() != 0);
    List<HostPort> seeds = nodes.values().stream().map(n -> HostPort.parse(n.address()))
        .toList();
    Node again = start(name, seeds);
    assertEquals(victim, again.nodeId());
    await("node " + victim + " catches up on the system range", () -> caughtUp(victim));
  }

  /** The node that leads the system range in its own view, or 0. */
  private long leader() {
    for (Node n : nodes.values()) {
      if (system(n).map(ri -> ri.leader() == n.nodeId()).orElse(false)) {
        return n.nodeId();
      }
    }
    return 0;
  }

  private boolean caughtUp(long id) {
    long lead = leader();
    Node n = nodes.get(id);
    if (lead == 0 || n == null) {
      return false;
    }
    long commit = system(nodes.get(lead)).map(RangeInfo::commit).orElse(Long.MAX_VALUE);
    return system(n).map(ri -> ri.applied() >= commit).orElse(false);
  }

  private static Optional<RangeInfo> system(Node n) {
    return n.ranges().stream().filter(ri -> ri.descriptor().rangeId() == SYSTEM).findFirst();
  }

  private void awaitProgress(long calls) {
    long target = completed.get() + calls;
    await(calls + " more calls complete", () -> completed.get() >= target);
  }

  private void await(String what, BooleanSupplier condition) {
    if (!poll(condition, WAIT)) {
      fail("timed out waiting until " + what + "; log: " + log);
    }
  }

  /** Checks a condition nobody notifies about every few milliseconds until it holds. */
  private static boolean poll(BooleanSupplier condition, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(5_000_000);
    }
    return true;
  }
}
