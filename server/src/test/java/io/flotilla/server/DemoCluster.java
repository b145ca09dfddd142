package io.flotilla.server;

import io.flotilla.multiraft.node.PeerClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Three real {@code flotilla start} JVMs, started as {@code flotilla demo --detach} does, for
 * fault tests: a nemesis kills (SIGKILL), pauses (SIGSTOP) and restarts them on their own
 * stores. A node found dead that the nemesis did not kill is a product failure, recorded in
 * {@link #unexpectedDeaths()}. Closing it keeps the node logs under {@code target/} and stops
 * every node.
 */
final class DemoCluster implements AutoCloseable {
  static final int NODES = 3;

  private final Path dir;
  private final String logsName;
  private final PeerClients peers = new PeerClients();
  private int base;
  private final ProcessHandle[] nodes = new ProcessHandle[NODES + 1];
  private final boolean[] paused = new boolean[NODES + 1];
  /** The Process of a node this class restarted itself, for its exit status. */
  private final Process[] processes = new Process[NODES + 1];

  final AtomicInteger kills = new AtomicInteger();
  final AtomicInteger pauses = new AtomicInteger();
  final AtomicInteger restarts = new AtomicInteger();
  private final List<String> unexpectedDeaths = Collections.synchronizedList(new ArrayList<>());

  /** @param logsName where under {@code target/} the node logs are kept after the test */
  DemoCluster(Path dir, String logsName) {
    this.dir = dir;
    this.logsName = logsName;
  }

  /** Runs {@code flotilla demo --detach}: three nodes, the user keyspace split at g, n, t. */
  void start() throws IOException {
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    Main main = new Main(new PrintStream(outBytes, true, StandardCharsets.UTF_8),
        new PrintStream(errBytes, true, StandardCharsets.UTF_8), 2);
    base = DemoCommandTest.freeBasePort();
    int code = main.run(List.of("demo", "--dir", dir.toString(), "--base-port",
        String.valueOf(base), "--detach"));
    if (code != 0) {
      throw new AssertionError("demo failed\nout: " + outBytes.toString(StandardCharsets.UTF_8)
          + "\nerr: " + errBytes.toString(StandardCharsets.UTF_8));
    }
    for (int i = 1; i <= NODES; i++) {
      long pid = Long.parseLong(Files.readString(dir.resolve("n" + i + "/pid")).strip());
      nodes[i] = ProcessHandle.of(pid).orElseThrow();
    }
  }

  PeerClients peers() {
    return peers;
  }

  /** Node {@code index}'s (1-based) client address. */
  String address(int index) {
    return "127.0.0.1:" + (base + index - 1);
  }

  List<String> addresses() {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= NODES; i++) {
      out.add(address(i));
    }
    return out;
  }

  List<String> unexpectedDeaths() {
    return List.copyOf(unexpectedDeaths);
  }

  /** Records any node that is dead though the nemesis did not kill it. */
  void checkAlive(String when) {
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

  /** Restarts the nodes found dead (after {@link #checkAlive}), each on its own store. */
  void restartMissing(Duration liveTimeout) throws IOException {
    for (int i = 1; i <= NODES; i++) {
      if (nodes[i] == null) {
        restart(i);
        awaitLive(liveTimeout);
      }
    }
  }

  /** SIGKILLs node {@code index} and waits until it is gone. */
  void kill(int index) throws Exception {
    System.out.println("nemesis: SIGKILL node " + index);
    ProcessHandle h = nodes[index];
    nodes[index] = null; // killed on purpose, not an unexpected death
    h.destroyForcibly();
    h.onExit().get(30, TimeUnit.SECONDS);
    kills.incrementAndGet();
  }

  void pause(int index) {
    System.out.println("nemesis: SIGSTOP node " + index);
    signal(nodes[index], "STOP");
    paused[index] = true;
    pauses.incrementAndGet();
  }

  void resume(int index) {
    signal(nodes[index], "CONT");
    paused[index] = false;
    System.out.println("nemesis: SIGCONT node " + index);
  }

  /** Starts node {@code index} again on its store and port, as the demo first did. */
  void restart(int index) throws IOException {
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
    System.out.println("nemesis: restarted node " + index);
  }

  /** Everything running, nothing stopped; waits until every node answers. */
  void heal(Duration liveTimeout) throws IOException {
    checkAlive("when healing");
    for (int i = 1; i <= NODES; i++) {
      if (nodes[i] == null) {
        restart(i);
        continue;
      }
      if (paused[i]) {
        resume(i);
      }
      if (!nodes[i].isAlive()) {
        restart(i);
      }
    }
    awaitLive(liveTimeout);
  }

  /** The cluster's view now, or null if no node answered. */
  ClusterStatus status() {
    try {
      return ClusterStatus.gather(addresses(), peers, Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The node (1-based index) that leads the most ranges, or a random one if unknown. */
  int mostLeader(Random nemesis) {
    int fallback = 1 + nemesis.nextInt(NODES); // drawn always, to keep the schedule replayable
    ClusterStatus s = status();
    if (s == null) {
      return fallback;
    }
    Map<Long, Integer> leads = new HashMap<>();
    for (ClusterStatus.RangeView r : s.ranges) {
      if (r.confirmed() && r.leader() != 0) {
        leads.merge(r.leader(), 1, Integer::sum);
      }
    }
    long best = leads.entrySet().stream().max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey).orElse(0L);
    int index = indexOf(s, best);
    return index == 0 ? fallback : index;
  }

  /** The 1-based index of node {@code id} by its port, or 0 if it is not one of these. */
  int indexOf(ClusterStatus s, long id) {
    for (ClusterStatus.NodeView n : s.nodes) {
      if (n.id() == id) {
        int port = Integer.parseInt(n.address().substring(n.address().lastIndexOf(':') + 1));
        int index = port - base + 1;
        return index >= 1 && index <= NODES ? index : 0;
      }
    }
    return 0;
  }

  /** Waits until every node answers its status (bounded; the clients cope either way). */
  void awaitLive(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      ClusterStatus s = status();
      if (s != null && s.nodes.size() == NODES
          && s.nodes.stream().allMatch(ClusterStatus.NodeView::live)
          && s.ranges.stream().allMatch(ClusterStatus.RangeView::confirmed)) {
        return;
      }
      Pause.millis(200);
    }
    System.out.println("nemesis: the cluster was not fully live within " + timeout);
  }

  @Override
  public void close() throws IOException {
    peers.close();
    Path keep = Path.of("target", logsName);
    Files.createDirectories(keep);
    for (int i = 1; i <= NODES; i++) {
      Path log = dir.resolve("n" + i + "/node.log");
      if (Files.exists(log)) {
        Files.copy(log, keep.resolve("n" + i + ".log"), StandardCopyOption.REPLACE_EXISTING);
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

  private static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read it: " + e.getMessage() + ")";
    }
  }

  private static void signal(ProcessHandle h, String sig) {
    try {
      Process p = new ProcessBuilder("kill", "-" + sig, String.valueOf(h.pid()))
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
