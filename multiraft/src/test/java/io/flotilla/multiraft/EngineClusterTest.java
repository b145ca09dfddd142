package io.flotilla.multiraft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.kv.WalBatch;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Entry;
import io.flotilla.raft.Message;
import io.flotilla.raft.ProposalId;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Role;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members, each with its own RocksDB store, driven by the Ready protocol with one WAL
 * batch per member per cycle: they elect, commit, and after every store is closed and reopened
 * they restart from disk with their votes, logs and commit indexes, and carry on.
 */
class EngineClusterTest {
  @TempDir
  Path dir;

  private final TreeMap<Long, Store> stores = new TreeMap<>();
  private final TreeMap<Long, RaftLogStore> logs = new TreeMap<>();
  private final TreeMap<Long, RaftNode> nodes = new TreeMap<>();
  private final TreeMap<Long, List<Entry>> applied = new TreeMap<>();
  private final ArrayDeque<Message> network = new ArrayDeque<>();
  private final SplittableRandom rnd = new SplittableRandom(5);

  private void start(long id, boolean create) {
    Path d = dir.resolve("n" + id);
    Store s = create ? Store.create(d, new StoreIdentity(77, id, Store.FORMAT_VERSION),
        StoreOptions.DEFAULTS) : Store.open(d, 77, StoreOptions.DEFAULTS);
    RaftLogStore l = new RaftLogStore(s);
    if (create) {
      EngineRaftStorage.bootstrap(l, 1, ConfState.ofVoters(1L, 2L, 3L));
    }
    stores.put(id, s);
    logs.put(id, l);
    nodes.put(id, new RaftNode(RaftConfig.builder(id, rnd.split()).build(),
        new EngineRaftStorage(l, 1)));
    applied.put(id, new ArrayList<>());
  }

  private void cycle() {
    for (var e : nodes.entrySet()) {
      RaftNode n = e.getValue();
      if (!n.hasReady()) {
        continue;
      }
      Ready rd = n.ready();
      network.addAll(rd.messages());
      WalBatch b = new WalBatch();
      EngineRaftStorage.persist(b, 1, rd);
      logs.get(e.getKey()).commit(b);
      network.addAll(rd.messagesAfterPersist());
      applied.get(e.getKey()).addAll(rd.committedEntries());
      n.advance(rd);
    }
    while (!network.isEmpty()) {
      Message m = network.poll();
      nodes.get(m.to()).step(m);
    }
  }

  private void run(int ticks) {
    for (int t = 0; t < ticks; t++) {
      nodes.values().forEach(RaftNode::tick);
      for (int i = 0; i < 4; i++) {
        cycle();
      }
    }
  }

  private RaftNode leader() {
    return nodes.values().stream().filter(n -> n.role() == Role.LEADER).findFirst()
        .orElse(null);
  }

  @Test
  void electCommitRestartFromDiskAndContinue() {
    for (long id = 1; id <= 3; id++) {
      start(id, true);
    }
    run(40);
    RaftNode leader = leader();
    assertNotNull(leader);
    List<ProposalId> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(leader.propose(("v" + i).getBytes()));
    }
    run(5);
    long commit = leader.commitIndex();
    long term = leader.term();
    assertEquals(ids.get(49).index(), commit);
    for (Store s : stores.values()) {
      s.close();
    }
    nodes.clear();
    for (long id = 1; id <= 3; id++) {
      start(id, false);
      assertEquals(commit, nodes.get(id).commitIndex(), "commit of " + id + " from disk");
      assertTrue(nodes.get(id).term() >= term);
    }
    run(40);
    RaftNode again = leader();
    assertNotNull(again);
    assertTrue(again.term() > term);
    ProposalId p = again.propose("after-restart".getBytes());
    run(5);
    for (long id = 1; id <= 3; id++) {
      assertEquals(p.index(), nodes.get(id).commitIndex());
      List<Entry> mine = applied.get(id);
      assertEquals("after-restart", new String(mine.get(mine.size() - 1).data()));
    }
    for (Store s : stores.values()) {
      s.close();
    }
  }
}
