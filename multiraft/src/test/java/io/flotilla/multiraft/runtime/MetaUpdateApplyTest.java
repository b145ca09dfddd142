package io.flotilla.multiraft.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.multiraft.proto.CommandPb;
import io.flotilla.multiraft.proto.MetaUpdatePb;
import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.multiraft.transport.IncomingSnapshots;
import io.flotilla.multiraft.transport.LocalNetwork;
import io.flotilla.raft.ConfState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conditional meta write as a range applies it (one node, one range over the whole
 * keyspace): reordered, repeated and batched updates never take a record back.
 */
class MetaUpdateApplyTest {
  @TempDir
  Path dir;

  private final LocalNetwork net = new LocalNetwork();
  private Store store;
  private StoreRuntime runtime;

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
    if (store != null) {
      store.close();
    }
    net.close();
  }

  private static <T> T join(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    }
  }

  private void start(RangeDescriptor range) throws Exception {
    store = Store.create(dir.resolve("n1"), new StoreIdentity(9, 1, Store.FORMAT_VERSION),
        StoreOptions.DEFAULTS);
    runtime = new StoreRuntime(1, store, new RaftLogStore(store),
        net.join(1, IncomingSnapshots.REFUSE, 100_000), new RuntimeOptions(10, 10, 3, 100_000),
        System::currentTimeMillis);
    runtime.start();
    join(runtime.createRange(range));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (runtime.ranges().stream().noneMatch(ri -> ri.leader() == 1)) {
      assertTrue(System.nanoTime() < deadline, "node 1 never led its range");
      Thread.sleep(5);
    }
  }

  private ApplyResult update(RangeMetaPb... records) throws Exception {
    CommandPb cmd = CommandPb.newBuilder().setMetaUpdate(MetaUpdatePb.newBuilder()
        .addAllRecords(List.of(records))).build();
    return join(runtime.propose(1, RangeMeta.key(records[0].getRange().getEndKey()
        .toByteArray()), cmd));
  }

  private RangeMetaPb stored(byte[] endKey) throws Exception {
    byte[] key = RangeMeta.key(endKey);
    byte[] v = join(runtime.get(1, key));
    return v == null ? null : RangeMeta.decode(key, v);
  }

  @Test
  void reorderedAndRepeatedUpdatesNeverTakeARecordBack() throws Exception {
    start(new RangeDescriptor(1, new byte[0], new byte[0], 0, ConfState.ofVoters(1L)));
    byte[] end = {0x01, 'z'};
    List<RangeMetaPb> history = new ArrayList<>();
    for (int gen = 0; gen < 3; gen++) {
      for (int members = 0; members < 3; members++) {
        RangeDescriptor d = new RangeDescriptor(10 + gen, new byte[] {0x01, (byte) ('a' + gen)},
            end, gen, ConfState.ofVoters(1L), members * 7L);
        history.add(RangeMeta.record(d, 1, 1 + members));
      }
    }
    RangeMetaPb newest = history.get(history.size() - 1);
    List<RangeMetaPb> updates = new ArrayList<>(history);
    updates.addAll(history);
    Collections.shuffle(updates, new Random(7));
    for (RangeMetaPb u : updates) {
      assertTrue(update(u).ok());
    }
    assertEquals(newest, stored(end));

    // One command with several records for one key: the newest counts, in any order.
    byte[] other = {0x01, 'q'};
    RangeMetaPb older = RangeMeta.record(new RangeDescriptor(5, new byte[] {0x01}, other, 1,
        ConfState.ofVoters(1L)), 1, 3);
    RangeMetaPb newer = RangeMeta.record(new RangeDescriptor(5, new byte[] {0x01}, other, 2,
        ConfState.ofVoters(1L)), 1, 3);
    update(newer, older);
    assertEquals(newer, stored(other));
    assertEquals(newest, stored(end), "the other record stayed");
  }

  @Test
  void aRangeRefusesRecordsWhoseKeysItDoesNotHold() throws Exception {
    // A user range: meta keys (system keys) lie before it.
    start(new RangeDescriptor(1, new byte[] {0x01}, new byte[0], 0, ConfState.ofVoters(1L)));
    RangeMetaPb r = RangeMeta.record(new RangeDescriptor(2, new byte[] {0x01}, new byte[0], 0,
        ConfState.ofVoters(1L)), 1, 1);
    CommandPb cmd = CommandPb.newBuilder().setMetaUpdate(MetaUpdatePb.newBuilder()
        .addRecords(r)).build();
    // Routed by a key the range holds, so that the refusal comes from applying the command.
    ApplyResult result = join(runtime.propose(1, new byte[] {0x01, 'a'}, cmd));
    assertInstanceOf(RangeException.KeyOutsideRange.class, result.error());
  }
}
