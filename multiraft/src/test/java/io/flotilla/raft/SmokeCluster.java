package io.flotilla.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** A tiny lossless in-memory cluster for unit tests of the core. */
final class SmokeCluster {
  final Map<Long, RaftNode> nodes = new TreeMap<>();
  final Map<Long, MemoryStorage> storages = new TreeMap<>();
  final Map<Long, List<Entry>> applied = new TreeMap<>();
  final ArrayDeque<Message> inflight = new ArrayDeque<>();

  SmokeCluster(int n, long seed) {
    Long[] ids = new Long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = (long) (i + 1);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    for (long id : ids) {
      MemoryStorage s = MemoryStorage.withVoters(ids);
      storages.put(id, s);
      nodes.put(id, new RaftNode(RaftConfig.builder(id, rnd.split()).build(), s));
      applied.put(id, new ArrayList<>());
    }
  }

  void processReady() {
    boolean any = true;
    while (any) {
      any = false;
      for (Map.Entry<Long, RaftNode> e : nodes.entrySet()) {
        RaftNode n = e.getValue();
        if (!n.hasReady()) {
          continue;
        }
        any = true;
        Ready rd = n.ready();
        MemoryStorage s = storages.get(e.getKey());
        if (rd.snapshot() != null) {
          s.applySnapshot(rd.snapshot());
        }
        s.append(rd.entries());
        if (rd.hardState() != null) {
          s.setHardState(rd.hardState());
        }
        inflight.addAll(rd.messages());
        inflight.addAll(rd.messagesAfterPersist());
        for (Entry ent : rd.committedEntries()) {
          applied.get(e.getKey()).add(ent);
          if (ent.type() == EntryType.CONF_CHANGE) {
            n.applyConfChange(ConfChange.decode(ent.data()));
          }
        }
        n.advance(rd);
      }
    }
  }

  void deliverAll() {
    processReady();
    while (!inflight.isEmpty()) {
      Message m = inflight.poll();
      RaftNode to = nodes.get(m.to());
      if (to != null) {
        to.step(m);
      }
      processReady();
    }
  }

  void tick(int times) {
    for (int i = 0; i < times; i++) {
      for (RaftNode n : nodes.values()) {
        n.tick();
      }
      deliverAll();
    }
  }

  RaftNode leader() {
    return nodes.values().stream().filter(n -> n.role() == Role.LEADER).findFirst().orElse(null);
  }
}
