package io.flotilla.server;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.placement.proto.DecisionPb;
import io.flotilla.placement.proto.ManualRequest;
import io.flotilla.placement.proto.ManualResponse;
import io.flotilla.placement.proto.MovePb;
import io.flotilla.placement.proto.OperatorsRequest;
import io.flotilla.placement.proto.OperatorsResponse;
import io.flotilla.placement.proto.RangeReportPb;
import io.flotilla.placement.proto.RangesRequest;
import io.flotilla.placement.proto.RangesResponse;
import io.flotilla.placement.proto.StoreReportPb;
import io.flotilla.placement.proto.StoresRequest;
import io.flotilla.placement.proto.StoresResponse;
import io.flotilla.placement.proto.TransferLeaderPb;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The placement driver's commands: {@code stores}, {@code ranges}, {@code operators} show what
 * it sees and did; {@code split}, {@code transfer-leader}, {@code move}, {@code balancer},
 * {@code drain} and {@code decommission} ask it for a change, which it runs and logs like its
 * own decisions. One instance per command name.
 */
final class PlacementCommand implements Command {
  /** A command's name, its positional arguments, and what it does. */
  private record Verb(String name, String args, String summary) {}

  static final List<Verb> VERBS = List.of(
      new Verb("stores", "", "List the stores the placement driver sees, with their load"),
      new Verb("ranges", "", "List the ranges with their replicas, leader, size and load"),
      new Verb("operators", "", "Show the placement driver's decisions, newest first"),
      new Verb("split", "KEY", "Split the range holding KEY at KEY"),
      new Verb("transfer-leader", "RANGE STORE", "Move a range's leadership to STORE"),
      new Verb("move", "RANGE FROM TO", "Move a range's replica from store FROM to store TO"),
      new Verb("balancer", "pause|resume", "Stop or restart the driver's own planning"),
      new Verb("drain", "NODE", "Move every leader away from NODE (it keeps its replicas)"),
      new Verb("decommission", "NODE", "Empty NODE of leaders and replicas for removal"));

  private final Verb verb;
  private final PrintStream out;
  private final PrintStream err;

  private PlacementCommand(Verb verb, PrintStream out, PrintStream err) {
    this.verb = verb;
    this.out = out;
    this.err = err;
  }

  static List<Command> all(PrintStream out, PrintStream err) {
    return VERBS.stream().map(v -> (Command) new PlacementCommand(v, out, err)).toList();
  }

  @Override
  public String name() {
    return verb.name();
  }

  @Override
  public String summary() {
    return verb.summary();
  }

  @Override
  public String usage() {
    return """
        usage: flotilla %s %s[options]

        %s. Asks the placement driver, which runs on the node that leads the system
        range; any node points the way to it.

        options:
          --addr HOST:PORT,...   nodes to ask first (default %s)
          --timeout SECONDS      give up after this long (default 15)
          -h, --help             show this help

        exit status: 0 done; 1 refused or no driver in time; 2 bad arguments.
        """.formatted(verb.name(), verb.args().isEmpty() ? "" : verb.args() + " ",
        verb.summary(), KvCommand.DEFAULT_ADDRESS);
  }

  @Override
  public int run(List<String> args) {
    if (Command.wantsHelp(args)) {
      out.print(usage());
      return OK;
    }
    List<String> positional = new ArrayList<>();
    int i = 0;
    while (i < args.size() && !args.get(i).startsWith("--")) {
      positional.add(args.get(i++));
    }
    List<String> seeds = List.of(KvCommand.DEFAULT_ADDRESS.split(","));
    long timeout = 15;
    ManualRequest manual;
    try {
      for (Flags.Flag f : Flags.parse(args.subList(i, args.size()),
          Set.of("--addr", "--timeout"), Set.of(), Set.of())) {
        if (f.name().equals("--addr")) {
          seeds = KvCommand.addresses(f);
        } else {
          timeout = Flags.longValue(f, 1, 3600);
        }
      }
      int wanted = verb.args().isEmpty() ? 0 : verb.args().split(" ").length;
      if (positional.size() != wanted) {
        throw new UsageException("'" + verb.name() + "' takes " + (wanted == 0 ? "no arguments"
            : verb.args()) + ", got " + (positional.isEmpty() ? "none" : positional));
      }
      manual = request(positional);
    } catch (UsageException e) {
      return e.report(this, err);
    }
    try (PlacementClient client = new PlacementClient(seeds, timeout)) {
      return switch (verb.name()) {
        case "stores" -> stores(client);
        case "ranges" -> ranges(client);
        case "operators" -> operators(client);
        default -> manual(client, manual);
      };
    } catch (PlacementClient.PlacementException e) {
      err.println("flotilla " + verb.name() + ": " + e.getMessage());
      return FAILED;
    }
  }

  private ManualRequest request(List<String> a) throws UsageException {
    ManualRequest.Builder b = ManualRequest.newBuilder();
    return switch (verb.name()) {
      case "split" -> b.setSplitKey(ByteString.copyFrom(a.get(0), StandardCharsets.UTF_8))
          .build();
      case "transfer-leader" -> b.setTransferLeader(TransferLeaderPb.newBuilder()
          .setRangeId(number(a.get(0), "RANGE")).setToStore(number(a.get(1), "STORE"))).build();
      case "move" -> b.setMove(MovePb.newBuilder().setRangeId(number(a.get(0), "RANGE"))
          .setFromStore(number(a.get(1), "FROM")).setToStore(number(a.get(2), "TO"))).build();
      case "balancer" -> switch (a.get(0)) {
        case "pause" -> b.setPauseBalancer(true).build();
        case "resume" -> b.setResumeBalancer(true).build();
        default -> throw new UsageException("'balancer' takes pause or resume, got '"
            + a.get(0) + "'");
      };
      case "drain" -> b.setDrain(number(a.get(0), "NODE")).build();
      case "decommission" -> b.setDecommission(number(a.get(0), "NODE")).build();
      default -> null;
    };
  }

  private static long number(String s, String what) throws UsageException {
    try {
      long v = Long.parseUnsignedLong(s);
      if (v == 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new UsageException(what + " must be a positive number (an id from 'flotilla"
          + " ranges' or 'flotilla stores'), got '" + s + "'");
    }
  }

  private int manual(PlacementClient client, ManualRequest req)
      throws PlacementClient.PlacementException {
    ManualResponse r = client.call(s -> s.manual(req), ManualResponse::getError);
    if (r.hasError()) {
      err.println("flotilla " + verb.name() + ": refused: " + r.getError().getMessage());
      return FAILED;
    }
    out.println(r.getMessage());
    return OK;
  }

  private int stores(PlacementClient client) throws PlacementClient.PlacementException {
    StoresResponse r = client.call(s -> s.stores(StoresRequest.getDefaultInstance()),
        StoresResponse::getError);
    out.printf("placement driver: node %d%n", r.getDriver());
    out.printf("%-6s %-16s %-5s %7s %8s %10s %10s %5s %9s %9s%n", "STORE", "STATE", "LIVE",
        "RANGES", "LEADERS", "USED", "CAPACITY", "DISK", "READS/S", "WRITES/S");
    for (StoreReportPb s : r.getStoresList()) {
      String state = s.getState().name().toLowerCase()
          + (s.getState().name().equals("DECOMMISSIONING") ? " (" + s.getReplicasLeft()
              + " left)" : "");
      String disk = s.getCapacityBytes() == 0 ? "-" : Math.round(100.0
          * (s.getCapacityBytes() - s.getAvailableBytes()) / s.getCapacityBytes()) + "%";
      out.printf("%-6d %-16s %-5s %7d %8d %10s %10s %5s %9.1f %9.1f%n", s.getStoreId(), state,
          s.getLive() ? "yes" : "NO", s.getRangeCount(), s.getLeaderCount(),
          bytes(s.getUsedBytes()), bytes(s.getCapacityBytes()), disk, s.getReadsPerSec(),
          s.getWritesPerSec());
    }
    return OK;
  }

  private int ranges(PlacementClient client) throws PlacementClient.PlacementException {
    RangesResponse r = client.call(s -> s.ranges(RangesRequest.getDefaultInstance()),
        RangesResponse::getError);
    out.printf("%-20s %-14s %-14s %-7s %-12s %-9s %9s %8s %8s %8s %-6s%n", "RANGE", "START",
        "END", "LEADER", "VOTERS", "LEARNERS", "BYTES", "KEYS", "READS/S", "WRITES/S", "SPLIT");
    long now = System.currentTimeMillis();
    for (RangeReportPb x : r.getRangesList()) {
      out.printf("%-20d %-14s %-14s %-7d %-12s %-9s %9s %8d %8.1f %8.1f %-6s%n",
          x.getRange().getRangeId(), key(x.getRange().getStartKey().toByteArray(), "-inf"),
          key(x.getRange().getEndKey().toByteArray(), "+inf"), x.getLeader(),
          x.getVotersList(), x.getLearnersList().isEmpty() ? "-" : x.getLearnersList(),
          bytes(x.getApproxBytes()), x.getApproxKeys(), x.getReadsPerSec(),
          x.getWritesPerSec(), stays(x.getRange().getStickyUntilMillis(), now));
    }
    return OK;
  }

  /** Whether the split at a range's start stays: "kept", minutes left, or "-" (mergeable). */
  private static String stays(long untilMillis, long now) {
    if (untilMillis == RangeDescriptor.STICKY_FOREVER) {
      return "kept";
    }
    return untilMillis > now ? (untilMillis - now + 59_999) / 60_000 + "m" : "-";
  }

  private int operators(PlacementClient client) throws PlacementClient.PlacementException {
    OperatorsResponse r = client.call(s -> s.operators(OperatorsRequest.newBuilder()
        .setLimit(50).build()), OperatorsResponse::getError);
    if (r.getBalancerPaused()) {
      out.println("the balancer is paused (flotilla balancer resume)");
    }
    long now = System.currentTimeMillis();
    for (DecisionPb d : r.getDecisionsList()) {
      String outcome = d.getOutcome().isEmpty() ? "RUNNING" : d.getOutcome();
      out.printf("#%d %s %s, %ds ago: %s%n    because %s%n", d.getId(), outcome,
          d.getDescription(), Math.max(0, (now - d.getCreatedMillis()) / 1000), d.getKind(),
          d.getReason());
      d.getStepsList().forEach(st -> out.printf("    step %s: %d ms%n", st.getStep(),
          st.getFinishedMillis() - st.getStartedMillis()));
      if (!d.getOutcomeMessage().isEmpty()) {
        out.println("    " + d.getOutcomeMessage());
      }
    }
    return OK;
  }

  private static String key(byte[] k, String empty) {
    return k.length == 0 ? empty : Keyspace.show(k);
  }

  private static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format("%.1f %s", v, units[u]);
  }
}
