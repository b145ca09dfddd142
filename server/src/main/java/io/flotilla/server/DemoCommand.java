package io.flotilla.server;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.node.PeerClients;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import io.flotilla.multiraft.proto.AdminSplitResponse;
import io.flotilla.multiraft.proto.RangeStatusPb;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.raft.ConfState;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * {@code flotilla demo}: a local 3-node cluster as three real {@code flotilla start} processes,
 * each with its own store and log under one directory, on loopback ports. It waits until every
 * node holds a replica of both initial ranges, splits the user keyspace at "g", "n" and "t",
 * prints how to use the cluster, and stops the nodes on Ctrl-C (or leaves them running with
 * {@code --detach}, for {@code flotilla demo stop}). Run again on the same directory, it
 * restarts the cluster with its data.
 */
final class DemoCommand implements Command {
  static final int NODES = 3;
  static final int DEFAULT_BASE_PORT = 7401;
  static final String DEFAULT_DIR = "demo-data";
  static final List<String> SPLIT_KEYS = List.of("g", "n", "t");
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration RPC_TIMEOUT = Duration.ofSeconds(2);
  private static final String MAIN_CLASS = Main.class.getName();
  /** Each node is a JVM on a machine shared with two others: keep them small. */
  private static final List<String> NODE_JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED",
      "-XX:+UseSerialGC", "-Xms32m", "-Xmx512m");

  private final PrintStream out;
  private final PrintStream err;
  private final List<String> javaCommand;

  /**
   * @param javaCommand how to run this program in a new JVM, up to (excluding) the command
   *     name: the java binary, JVM flags, class path and main class
   */
  DemoCommand(PrintStream out, PrintStream err, List<String> javaCommand) {
    this.out = out;
    this.err = err;
    this.javaCommand = List.copyOf(javaCommand);
  }

  /** This JVM's java binary and class path, for child processes that run {@link Main}. */
  static List<String> currentJava() {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(NODE_JVM_FLAGS);
    if (Runtime.version().feature() >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow"); // Netty's use of Unsafe, without warning
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MAIN_CLASS);
    return cmd;
  }

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "Run a local 3-node cluster (three processes) and show how to use it";
  }

  @Override
  public String usage() {
    return """
        usage: flotilla demo [--dir DIR] [--base-port PORT] [--detach]
               flotilla demo stop [--dir DIR]

        Starts three nodes as three 'flotilla start' processes on 127.0.0.1, ports PORT,
        PORT+1 and PORT+2 (metrics on each port + 1000), each with its store and log under
        DIR/n1..n3. Waits until every node holds a replica of both initial ranges, splits the
        user keyspace at "g", "n" and "t", then prints how to talk to the cluster and keeps
        running until Ctrl-C, which stops the three nodes. Their data stays in DIR: run
        'flotilla demo' again to restart the same cluster, or delete DIR for a new one.

        options:
          --dir DIR         where the nodes keep their stores and logs (default ./%s)
          --base-port PORT  the first node's port (default %d)
          --detach          leave the nodes running and return; stop them with
                            'flotilla demo stop'
          -h, --help        show this help
        """.formatted(DEFAULT_DIR, DEFAULT_BASE_PORT);
  }

  @Override
  public int run(List<String> args) {
    if (Command.wantsHelp(args)) {
      out.print(usage());
      return OK;
    }
    boolean stop = !args.isEmpty() && args.get(0).equals("stop");
    List<String> rest = stop ? args.subList(1, args.size()) : args;
    Path dir = Path.of(DEFAULT_DIR);
    int basePort = DEFAULT_BASE_PORT;
    boolean detach = false;
    try {
      Set<String> withValue = stop ? Set.of("--dir") : Set.of("--dir", "--base-port");
      Set<String> booleans = stop ? Set.of() : Set.of("--detach");
      for (Flags.Flag f : Flags.parse(rest, withValue, booleans, Set.of())) {
        switch (f.name()) {
          case "--dir" -> dir = Path.of(f.value());
          case "--base-port" -> basePort = Flags.intValue(f, 1, 65535 - 1000 - NODES);
          case "--detach" -> detach = true;
          default -> throw new AssertionError("Flags.parse let through " + f.name());
        }
      }
    } catch (UsageException e) {
      return e.report(this, err);
    }
    dir = dir.toAbsolutePath().normalize();
    return stop ? stop(dir) : start(dir, basePort, detach);
  }

  // ------------------------------------------------------------------ start

  private record NodeProcess(int index, String address, int httpPort, Path home, Process process) {
    Path log() {
      return home.resolve("node.log");
    }
  }

  private int start(Path dir, int basePort, boolean detach) {
    List<Long> running = runningPids(dir);
    if (!running.isEmpty()) {
      err.println("flotilla demo: a demo is already running in " + dir + " (pids " + running
          + "); stop it with: ./flotilla demo stop" + dirFlag(dir));
      return FAILED;
    }
    for (int i = 0; i < NODES; i++) {
      for (int port : List.of(basePort + i, basePort + i + 1000)) {
        if (!free(port)) {
          err.println("flotilla demo: port " + port + " on 127.0.0.1 is in use; pick other"
              + " ports with --base-port");
          return FAILED;
        }
      }
    }
    boolean fresh = !Files.exists(dir.resolve("n1/store/CURRENT"));
    out.println("flotilla demo: " + (fresh ? "starting a new 3-node cluster in " + dir
        : "restarting the 3-node cluster stored in " + dir + " (delete it for a new one)"));
    List<NodeProcess> nodes = new ArrayList<>();
    try {
      for (int i = 1; i <= NODES; i++) {
        nodes.add(launch(dir, i, basePort, detach));
      }
    } catch (UncheckedIOException e) {
      err.println("flotilla demo: cannot start a node: " + e.getMessage());
      nodes.forEach(n -> n.process().destroy());
      return FAILED;
    }
    Thread hook = null;
    if (!detach) {
      hook = new Thread(() -> stopAll(nodes, dir), "flotilla-demo-stop");
      Runtime.getRuntime().addShutdownHook(hook);
    }
    List<String> addresses = nodes.stream().map(NodeProcess::address).toList();
    try (PeerClients clients = new PeerClients()) {
      String failure = setUp(nodes, addresses, clients);
      if (failure != null) {
        err.println("flotilla demo: " + failure);
        if (detach) {
          stopAll(nodes, dir);
        }
        return FAILED;
      }
      printHowTo(dir, nodes, ClusterStatus.gather(addresses, clients, RPC_TIMEOUT));
    }
    if (detach) {
      out.println("The nodes keep running in the background. Stop them with:"
          + " ./flotilla demo stop" + dirFlag(dir));
      return OK;
    }
    out.println("Press Ctrl-C to stop the three nodes.");
    for (NodeProcess n : nodes) {
      try {
        n.process().waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      return OK; // Ctrl-C: the hook stops the nodes and says so
    }
    out.println("flotilla demo: every node exited; their logs are in " + dir);
    return OK;
  }

  /** Waits for replication, then splits; returns what went wrong, or null. */
  private String setUp(List<NodeProcess> nodes, List<String> addresses, PeerClients clients) {
    out.println("waiting until every node holds a replica of both ranges...");
    String failure = await(nodes, () -> fullyReplicated(addresses, clients, List.of()));
    if (failure != null) {
      return failure;
    }
    for (String key : SPLIT_KEYS) {
      failure = await(nodes, () -> split(addresses, clients, key));
      if (failure != null) {
        return "splitting at \"" + key + "\": " + failure;
      }
    }
    return await(nodes, () -> fullyReplicated(addresses, clients, SPLIT_KEYS));
  }

  private NodeProcess launch(Path dir, int index, int basePort, boolean detach) {
    Path home = dir.resolve("n" + index);
    String address = "127.0.0.1:" + (basePort + index - 1);
    int httpPort = basePort + index - 1 + 1000;
    List<String> cmd = new ArrayList<>();
    Path setsid = Path.of("/usr/bin/setsid");
    if (detach && Files.isExecutable(setsid)) {
      cmd.add(setsid.toString()); // its own session: the terminal's signals never reach it
    }
    cmd.addAll(javaCommand);
    cmd.addAll(List.of("start", "--store", home.resolve("store").toString(), "--listen",
        address, "--http", "127.0.0.1:" + httpPort));
    if (index > 1) {
      cmd.addAll(List.of("--join", "127.0.0.1:" + basePort));
    }
    try {
      Files.createDirectories(home);
      // The class path travels in CLASSPATH: on the command line it would push the main class
      // past the 4,096 characters the JDK reports of another process's command line, and
      // runningPids could no longer recognize the demo's nodes.
      int cp = cmd.indexOf("-cp");
      String classPath = cmd.get(cp + 1);
      cmd.subList(cp, cp + 2).clear();
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("node.log").toFile()));
      pb.environment().put("CLASSPATH", classPath);
      Process p = pb.start();
      Files.writeString(home.resolve("pid"), p.pid() + "\n");
      return new NodeProcess(index, address, httpPort, home, p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether every node answers and holds ranges 1 and 2 and a range starting at each of
   * {@code boundaries} (user keys), every one of them with all nodes as voters and a leader.
   */
  private static boolean fullyReplicated(List<String> addresses, PeerClients clients,
      List<String> boundaries) {
    ClusterStatus s;
    try {
      s = ClusterStatus.gather(addresses, clients, RPC_TIMEOUT);
    } catch (IllegalStateException e) {
      return false;
    }
    if (s.nodes.size() != NODES || !s.ranges.stream().allMatch(r -> r.confirmed())) {
      return false;
    }
    for (ClusterStatus.NodeView n : s.nodes) {
      if (!n.live()) {
        return false;
      }
      Set<Long> ids = new java.util.HashSet<>();
      Set<ByteString> starts = new java.util.HashSet<>();
      for (RangeStatusPb r : n.status().getRangesList()) {
        ConfState m = ConfState.decode(r.getRange().getMembers().toByteArray());
        if (m.voters().size() != NODES || !m.learners().isEmpty()) {
          return false;
        }
        ids.add(r.getRange().getRangeId());
        starts.add(r.getRange().getStartKey());
      }
      if (!ids.containsAll(List.of(1L, 2L))) {
        return false;
      }
      for (String b : boundaries) {
        if (!starts.contains(ByteString.copyFrom(Keyspace.toInternal(
            b.getBytes(StandardCharsets.UTF_8))))) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean split(List<String> addresses, PeerClients clients, String key) {
    for (String address : addresses) {
      try {
        AdminSplitResponse r = PeerClients.<AdminSplitResponse>call(o -> clients.admin(address,
            Duration.ofSeconds(5)).split(AdminSplitRequest.newBuilder()
            .setUserKey(ByteString.copyFromUtf8(key))
            .setStickyUntilMillis(RangeDescriptor.STICKY_FOREVER).build(), o)).join();
        if (!r.hasError()) {
          return true;
        }
      } catch (RuntimeException e) {
        // Not up, or no leader yet: try the next node, then again.
      }
    }
    return false;
  }

  /** Polls {@code done} until it holds; fails early, with the log, if a node process died. */
  private String await(List<NodeProcess> nodes, BooleanSupplier done) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!done.getAsBoolean()) {
      for (NodeProcess n : nodes) {
        if (!n.process().isAlive()) {
          return "node " + n.index() + " exited with status " + n.process().exitValue()
              + "; the end of its log (" + n.log() + "):\n" + tail(n.log(), 15);
        }
      }
      if (System.nanoTime() > deadline) {
        return "the cluster was not ready within " + READY_TIMEOUT.toSeconds() + "s; see the"
            + " logs in " + nodes.get(0).home().getParent();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
    return null;
  }

  private void printHowTo(Path dir, List<NodeProcess> nodes, ClusterStatus status) {
    out.println();
    out.println("A 3-node Flotilla cluster is running (cluster "
        + Long.toUnsignedString(status.clusterId, 16) + "):");
    for (NodeProcess n : nodes) {
      out.printf("  node %d  %s  pid %-7d metrics http://127.0.0.1:%d/metrics%n", n.index(),
          n.address(), n.process().pid(), n.httpPort());
    }
    out.println("  data:  " + dir + "/n{1,2,3}/store");
    out.println("  logs:  " + dir + "/n{1,2,3}/node.log");
    out.println();
    out.print(status.render());
    String addrs = String.join(",", nodes.stream().map(NodeProcess::address).toList());
    // The kv and status commands default to the default demo's addresses.
    String addr = addrs.equals(StatusCommand.DEFAULT_ADDRESSES) ? "" : " --addr " + addrs;
    out.println();
    out.println("Talk to it (from " + Path.of("").toAbsolutePath() + "):");
    out.println("  ./flotilla kv put a 1" + addr);
    out.println("  ./flotilla kv get a" + addr);
    out.println("  ./flotilla kv scan" + addr);
    out.println("  ./flotilla status" + addr);
    NodeProcess second = nodes.get(1);
    out.println("Kill any one node (kill -9 " + second.process().pid() + ") and the cluster"
        + " stays writable; bring it back with its data:");
    out.println("  ./flotilla start --store " + second.home().resolve("store") + " --listen "
        + second.address() + " --join " + nodes.get(0).address()
        + " >> " + second.log() + " 2>&1 &");
  }

  private static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read it: " + e.getMessage() + ")";
    }
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void stopAll(List<NodeProcess> nodes, Path dir) {
    List<ProcessHandle> handles = nodes.stream().map(n -> n.process().toHandle()).toList();
    int stopped = terminate(handles);
    out.println("flotilla demo: stopped " + stopped + " node" + (stopped == 1 ? "" : "s")
        + "; their data and logs stay in " + dir);
    deletePidFiles(dir);
  }

  // ------------------------------------------------------------------ stop

  private int stop(Path dir) {
    List<ProcessHandle> handles = new ArrayList<>();
    for (long pid : runningPids(dir)) {
      ProcessHandle.of(pid).ifPresent(handles::add);
    }
    if (handles.isEmpty()) {
      out.println("flotilla demo: no demo node is running in " + dir);
      deletePidFiles(dir);
      return OK;
    }
    int stopped = terminate(handles);
    deletePidFiles(dir);
    out.println("flotilla demo: stopped " + stopped + " node" + (stopped == 1 ? "" : "s")
        + " (data and logs stay in " + dir + ")");
    return OK;
  }

  /** SIGTERM, a grace period for a clean stop, then SIGKILL; returns how many were alive. */
  private static int terminate(List<ProcessHandle> handles) {
    int alive = 0;
    for (ProcessHandle h : handles) {
      if (h.isAlive()) {
        alive++;
        h.destroy();
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (ProcessHandle h : handles) {
      try {
        long left = Math.max(1, deadline - System.nanoTime());
        h.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
    return alive;
  }

  /**
   * The live demo node processes: those recorded in {@code dir}'s pid files, and any other
   * {@code flotilla start} whose store is in {@code dir} (a node restarted by hand).
   */
  static List<Long> runningPids(Path dir) {
    List<Long> pids = new ArrayList<>();
    String storeArg = "--store " + dir + "/n";
    ProcessHandle.allProcesses().filter(h -> h.info().commandLine()
            .map(c -> c.contains(MAIN_CLASS + " start ") && c.contains(storeArg)).orElse(false))
        .forEach(h -> pids.add(h.pid()));
    for (int i = 1; i <= NODES; i++) {
      Path pidFile = dir.resolve("n" + i).resolve("pid");
      try {
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        // A recycled pid belongs to some other program: only a flotilla node counts.
        if (h.isPresent() && h.get().isAlive() && !pids.contains(pid) && h.get().info()
            .commandLine().map(c -> c.contains(MAIN_CLASS)).orElse(true)) {
          pids.add(pid);
        }
      } catch (IOException | NumberFormatException e) {
        // No pid file (never started, or stopped cleanly) or a garbled one: not running.
      }
    }
    return pids;
  }

  private static void deletePidFiles(Path dir) {
    for (int i = 1; i <= NODES; i++) {
      try {
        Files.deleteIfExists(dir.resolve("n" + i).resolve("pid"));
      } catch (IOException e) {
        // Harmless: a stale pid file is checked against the live processes.
      }
    }
  }

  private static String dirFlag(Path dir) {
    return dir.equals(Path.of(DEFAULT_DIR).toAbsolutePath().normalize()) ? ""
        : " --dir " + dir;
  }
}
