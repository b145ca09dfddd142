package io.flotilla.raft.scenario;

import io.flotilla.raft.ConfState;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftNode;
import java.util.TreeMap;

/**
 * One member of the scenario: its durable storage, which outlives crashes, and its in-memory
 * {@link RaftNode} and state machine, which do not.
 */
final class Member {
  final long id;
  /** What survives a crash: the driver writes here only when it handles a Ready. */
  final MemoryStorage storage;
  /** Kept to restart with the same settings; its random generator keeps its sequence. */
  final RaftConfig config;
  /** Null while crashed. */
  RaftNode node;
  /** The state machine's applied index; the state machine is in memory, lost on a crash. */
  long applied;
  /**
   * The membership in force after each applied index that changed it (and at the snapshot),
   * so {@code compact} can record the membership as of the compaction point, not as of now.
   */
  final TreeMap<Long, ConfState> confAt = new TreeMap<>();

  Member(long id, MemoryStorage storage, RaftConfig config) {
    this.id = id;
    this.storage = storage;
    this.config = config;
  }

  /** Starts (or restarts) from storage: state machine and membership restart at the snapshot. */
  void start() {
    node = new RaftNode(config, storage);
    applied = storage.snapshot().index();
    confAt.clear();
    confAt.put(applied, storage.snapshot().metadata().confState());
  }

  boolean up() {
    return node != null;
  }
}
