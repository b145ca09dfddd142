package io.flotilla.multiraft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.kv.KvCluster;
import io.flotilla.multiraft.kv.Keyspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scans that cross many ranges while those ranges split. A scan continues from the end its
 * range had when it served the page; were that end taken from the published ranges (which lag
 * a split by up to a tick), the keys between a fresh split key and the old end would be
 * skipped.
 */
class ScanSplitRaceTest {
  private static final int KEYS = 400;

  @TempDir
  Path dir;

  private KvCluster cluster;
  private KvClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static byte[] key(int i) {
    return "k%03d".formatted(i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void noKeyIsSkippedByAScanRacingSplits() throws Exception {
    cluster = KvCluster.start(dir, 3);
    client = new KvClient(List.of(cluster.address(1)), KvClientOptions.defaults());
    List<KvEntry> all = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      all.add(new KvEntry(key(i), key(i)));
    }
    client.batchPut(all);
    for (int i = 40; i < KEYS; i += 40) {
      cluster.split(Keyspace.toInternal(key(i)));
    }

    // Split every 40 keys at an offset of 20, then of 10 and 30: each split lands inside a
    // range a scan may be reading.
    CompletableFuture<Void> splits = CompletableFuture.runAsync(() -> {
      for (int offset : new int[] {20, 10, 30}) {
        for (int i = offset; i < KEYS; i += 40) {
          cluster.split(Keyspace.toInternal(key(i)));
        }
      }
    });
    int scans = 0;
    while (!splits.isDone() || scans == 0) {
      // A page never crosses a range, so every page boundary here is a range end.
      List<KvEntry> seen = client.scan(new byte[0], null, KEYS + 1);
      assertEquals(KEYS, seen.size(), "scan " + scans + " returned " + seen.size()
          + " of " + KEYS + " keys" + cluster.state());
      scans++;
    }
    splits.get();
    assertTrue(cluster.runtime(1).ranges().size() >= 1 + KEYS / 10, cluster.state());
  }
}
