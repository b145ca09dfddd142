package io.flotilla.multiraft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.kv.WalBatch;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Entry;
import io.flotilla.raft.EntryType;
import io.flotilla.raft.HardState;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Storage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RocksDB-backed storage must answer every read exactly as its in-memory twin does after the
 * same writes: random appends (with conflicting suffixes), hard states and compactions.
 */
class EngineRaftStorageTest {
  @TempDir
  Path dir;

  @Test
  void answersLikeMemoryStorageAfterTheSameRandomWrites() {
    SplittableRandom rnd = new SplittableRandom(2026);
    try (Store store = Store.create(dir, new StoreIdentity(1, 1, Store.FORMAT_VERSION),
        StoreOptions.DEFAULTS.withEntryCacheBytes(4096))) {
      RaftLogStore logs = new RaftLogStore(store);
      ConfState members = ConfState.ofVoters(1L, 2L, 3L);
      EngineRaftStorage.bootstrap(logs, 9, members);
      EngineRaftStorage engine = new EngineRaftStorage(logs, 9);
      MemoryStorage memory = MemoryStorage.withVoters(1L, 2L, 3L);
      long term = 1;
      for (int step = 0; step < 2000; step++) {
        int op = rnd.nextInt(10);
        if (op < 7) {
          long from = Math.max(memory.firstIndex(),
              memory.lastIndex() + 1 - rnd.nextInt(op == 0 ? 6 : 1));
          term += rnd.nextInt(4) == 0 ? 1 : 0;
          List<Entry> ents = new ArrayList<>();
          for (long i = from; i < from + 1 + rnd.nextInt(5); i++) {
            ents.add(new Entry(term, i, rnd.nextInt(8) == 0 ? EntryType.CONF_CHANGE
                : EntryType.NORMAL, new byte[] {(byte) step, (byte) i}));
          }
          HardState hs = new HardState(term, 1, memory.firstIndex() - 1);
          Ready rd = new Ready(null, hs, ents, null, List.of(), List.of(), List.of(), List.of(),
              true);
          WalBatch b = new WalBatch();
          EngineRaftStorage.persist(b, 9, rd);
          logs.commit(b);
          memory.append(ents);
          memory.setHardState(hs);
        } else if (op == 7 && memory.lastIndex() > memory.firstIndex() + 3) {
          long to = memory.firstIndex() + rnd.nextInt((int) (memory.lastIndex()
              - memory.firstIndex()));
          memory.compact(to);
          logs.compact(9, to, members.encode());
        }
        assertSame(memory, engine, step);
      }
    }
  }

  private static void assertSame(Storage expected, Storage actual, int step) {
    String at = "after step " + step;
    assertEquals(expected.firstIndex(), actual.firstIndex(), at);
    assertEquals(expected.lastIndex(), actual.lastIndex(), at);
    assertEquals(expected.initialState(), actual.initialState(), at);
    for (long i = expected.firstIndex() - 1; i <= expected.lastIndex(); i++) {
      assertEquals(expected.term(i), actual.term(i), at + ", term of " + i);
    }
    if (expected.lastIndex() >= expected.firstIndex()) {
      assertEquals(expected.entries(expected.firstIndex(), expected.lastIndex() + 1, 200),
          actual.entries(expected.firstIndex(), expected.lastIndex() + 1, 200), at);
    }
    long compacted = expected.firstIndex() - 1;
    assertThrows(Storage.CompactedException.class, () -> actual.entries(compacted,
        compacted + 1, Long.MAX_VALUE), at);
  }
}
