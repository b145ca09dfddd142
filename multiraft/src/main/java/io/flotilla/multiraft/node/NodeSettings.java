package io.flotilla.multiraft.node;

import io.flotilla.config.ByteSize;
import io.flotilla.config.Constraint;
import io.flotilla.config.HostPort;
import io.flotilla.config.Setting;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The settings of a node. Each may come from a config file ({@code --config}), a
 * {@code FLOTILLA_*} environment variable or {@code --set key=value}; {@code flotilla start}'s
 * own flags ({@code --store}, {@code --listen}, {@code --join}, {@code --http},
 * {@code --advertise}) are shorthands for the first five and win over the other sources.
 */
public final class NodeSettings {
  private NodeSettings() {}

  public static final Setting<Path> STORE = Setting.ofPath("node.store", Path.of(""),
      "directory of the node's store (RocksDB); created when the node bootstraps or joins");

  public static final Setting<HostPort> LISTEN = Setting.ofAddress("node.listen",
      new HostPort("127.0.0.1", 7401),
      "host:port the node serves Raft, KV and admin calls on (one gRPC port); port 0 picks one");

  public static final Setting<String> ADVERTISE = Setting.ofString("node.advertise", "",
      new Constraint<>(s -> s.isEmpty() || isAddress(s), "empty or an address host:port"),
      "host:port other nodes and clients reach this node at; empty means node.listen");

  public static final Setting<String> JOIN = Setting.ofString("node.join", "",
      new Constraint<>(NodeSettings::isAddressList,
          "empty or a comma-separated list of host:port"),
      "nodes of the cluster to join (any few); empty with an empty store bootstraps a cluster");

  public static final Setting<String> HTTP = Setting.ofString("node.http", "auto",
      new Constraint<>(s -> s.equals("auto") || s.equals("off") || isAddress(s),
          "auto, off, or an address host:port"),
      "host:port of the HTTP endpoint (/metrics); auto = node.listen's port + 1000; off = none");

  public static final Setting<Duration> TICK = Setting.ofDuration("raft.tick-interval",
      Duration.ofMillis(100), Constraint.between(Duration.ofMillis(1), Duration.ofSeconds(10)),
      "the period of the one ticker that drives every range's Raft clock");

  public static final Setting<Integer> ELECTION_TICKS = Setting.ofInt("raft.election-ticks", 10,
      Constraint.between(2, 10_000), "Raft election timeout, in ticks (randomized to [e, 2e))");

  public static final Setting<Integer> QUIESCE_AFTER_TICKS = Setting.ofInt(
      "raft.quiesce-after-ticks", 3, Constraint.between(1, 10_000),
      "ticks an idle, caught-up range waits before it stops ticking");

  public static final Setting<Integer> REPLICATION_FACTOR = Setting.ofInt(
      "cluster.replication-factor", 3, Constraint.between(1, 7),
      "voters each range is brought up to, while enough nodes are live");

  public static final Setting<Duration> MAINTENANCE_INTERVAL = Setting.ofDuration(
      "cluster.maintenance-interval", Duration.ofSeconds(1),
      Constraint.between(Duration.ofMillis(10), Duration.ofMinutes(1)),
      "how often a node pings its peers, refreshes its address book and up-replicates");

  public static final Setting<Duration> NODE_DEAD_AFTER = Setting.ofDuration(
      "cluster.node-dead-after", Duration.ofSeconds(5),
      Constraint.between(Duration.ofMillis(50), Duration.ofHours(1)),
      "a node not heard from for this long is not live (gets no new replicas)");

  public static final Setting<Duration> JOIN_TIMEOUT = Setting.ofDuration("cluster.join-timeout",
      Duration.ofSeconds(60), Constraint.between(Duration.ofSeconds(1), Duration.ofHours(1)),
      "how long a new node keeps trying its --join seeds before it gives up");

  public static final Setting<Duration> MERGE_THAW_AFTER = Setting.ofDuration(
      "cluster.merge-thaw-after", Duration.ofMinutes(2),
      Constraint.between(Duration.ofMillis(100), Duration.ofHours(24)),
      "a range frozen this long for a merge that its leader's node does not run has the merge"
          + " abandoned through the left range's log and is thawed (twice a merge's timeout)");

  public static final Setting<Duration> PEER_LIVENESS_TIMEOUT = Setting.ofDuration(
      "transport.liveness-timeout", Duration.ofSeconds(2),
      Constraint.between(Duration.ofMillis(40), Duration.ofMinutes(10)),
      "how long a peer's Raft stream may stay silent before its ranges elect new leaders");

  public static final Setting<Integer> LOG_COMPACT_ENTRIES = Setting.ofInt(
      "raft.log-compact-entries", RuntimeOptions.DEFAULT_LOG_COMPACT_ENTRIES,
      Constraint.between(4, 100_000_000),
      "a range's Raft log is compacted once its applied index is this many entries ahead of"
          + " the log's start");

  public static final Setting<ByteSize> LOG_COMPACT_BYTES = Setting.ofByteSize(
      "raft.log-compact-bytes", ByteSize.ofBytes(RuntimeOptions.DEFAULT_LOG_COMPACT_BYTES),
      Constraint.between(ByteSize.ofKibibytes(1), ByteSize.ofGibibytes(64)),
      "... or once this much was applied since the last compaction (then lagging followers get"
          + " a snapshot)");

  public static final Setting<ByteSize> SNAPSHOT_RATE = Setting.ofByteSize(
      "transport.snapshot-rate", ByteSize.ofMebibytes(32),
      Constraint.between(ByteSize.ofKibibytes(1), ByteSize.ofGibibytes(64)),
      "range snapshot data this node sends per second, to all peers together");

  /** Every setting a node reads, for the process's {@code SettingsRegistry}. */
  public static List<Setting<?>> all() {
    return List.of(STORE, LISTEN, ADVERTISE, JOIN, HTTP, TICK, ELECTION_TICKS,
        QUIESCE_AFTER_TICKS, REPLICATION_FACTOR, MAINTENANCE_INTERVAL, NODE_DEAD_AFTER,
        JOIN_TIMEOUT, MERGE_THAW_AFTER, PEER_LIVENESS_TIMEOUT, LOG_COMPACT_ENTRIES,
        LOG_COMPACT_BYTES, SNAPSHOT_RATE);
  }

  static boolean isAddress(String s) {
    try {
      HostPort.parse(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static boolean isAddressList(String s) {
    if (s.isBlank()) {
      return true;
    }
    for (String part : s.split(",")) {
      if (!isAddress(part.strip())) {
        return false;
      }
    }
    return true;
  }
}
