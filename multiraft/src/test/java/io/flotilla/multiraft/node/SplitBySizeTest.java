package io.flotilla.multiraft.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.config.HostPort;
import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.KvClientOptions;
import io.flotilla.multiraft.client.KvEntry;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import io.flotilla.multiraft.proto.AdminSplitResponse;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.proto.RangeStatusPb;
import io.flotilla.multiraft.proto.StatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API splits a range at the key its leader's store finds halves its bytes. */
class SplitBySizeTest {
  @TempDir
  Path dir;

  @Test
  void aRangeOfSeveralMegabytesSplitsIntoTwoHalvesOfAboutEqualBytes() {
    Node n = Node.start(NodeConfig.of(dir.resolve("n1"), new HostPort("127.0.0.1", 0),
        List.of()), line -> { });
    ManagedChannel ch = ManagedChannelBuilder.forTarget(n.address()).usePlaintext().build();
    try (n; KvClient client = new KvClient(List.of(n.address()),
        KvClientOptions.defaults().withTotalTimeout(Duration.ofSeconds(30)))) {
      NodeAdminGrpc.NodeAdminBlockingStub admin = NodeAdminGrpc.newBlockingStub(ch);
      long range = Keyspace.FIRST_USER_RANGE_ID;
      client.put(key(0), new byte[100]); // the range has a leader, and one key
      AdminSplitResponse empty = bySize(admin, range);
      assertEquals(KvError.Code.INVALID, empty.getError().getCode(), empty.toString());
      assertTrue(empty.getError().getMessage().contains("one user key; a split needs two"),
          empty.toString());

      // 600 small keys first, then 300 of 12 KB: about 3.7 MB, nearly all in the large keys,
      // so the middle by bytes lies among those (by count it would lie among the small).
      SplittableRandom random = new SplittableRandom(3);
      List<KvEntry> batch = new ArrayList<>();
      for (int i = 0; i < 900; i++) {
        byte[] value = new byte[i < 600 ? 100 : 12_000];
        random.nextBytes(value);
        batch.add(new KvEntry(key(i), value));
        if (batch.size() == 50) {
          client.batchPut(batch);
          batch.clear();
        }
      }
      AdminSplitResponse split = bySize(admin, range);
      assertTrue(!split.hasError(), split.toString());
      String key = split.getSplitKey().toString(StandardCharsets.UTF_8);
      int at = Integer.parseInt(key.substring(3));
      // Half the bytes lie near key0747 (by count the middle would be key0450). The finder works
      // from RocksDB's estimates, coarse in memtables: each half holds at least a fifth.
      long total = 600 * 100 + 300 * 12_000;
      long leftBytes = Math.min(at, 600) * 100L + Math.max(0, at - 600) * 12_000L;
      assertTrue(Math.min(leftBytes, total - leftBytes) >= total / 5,
          key + " leaves " + leftBytes + " of " + total + " bytes on its left");

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      List<RangeStatusPb> user;
      do {
        user = admin.withDeadlineAfter(10, TimeUnit.SECONDS)
            .status(StatusRequest.getDefaultInstance()).getRangesList().stream()
            .filter(r -> r.getRange().getRangeId() != Keyspace.SYSTEM_RANGE_ID
                && r.getApproxBytes() > 0).toList();
      } while (user.size() < 2 && System.nanoTime() < deadline);
      assertEquals(2, user.size(), user.toString());
      assertTrue(user.stream().anyMatch(r -> Arrays.equals(r.getRange().getStartKey()
          .toByteArray(), Keyspace.toInternal(key.getBytes(StandardCharsets.UTF_8)))),
          user.toString());
      // Both halves serve their keys.
      assertEquals(100, client.get(key(0)).length);
      assertEquals(12_000, client.get(key(899)).length);
    } finally {
      ch.shutdownNow();
    }
  }

  private static AdminSplitResponse bySize(NodeAdminGrpc.NodeAdminBlockingStub admin,
      long range) {
    return admin.withDeadlineAfter(10, TimeUnit.SECONDS).split(AdminSplitRequest.newBuilder()
        .setRangeId(range).setBySize(true).build());
  }

  private static byte[] key(int i) {
    return String.format("key%04d", i).getBytes(StandardCharsets.UTF_8);
  }
}
