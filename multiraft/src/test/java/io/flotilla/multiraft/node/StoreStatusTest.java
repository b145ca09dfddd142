package io.flotilla.multiraft.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.config.HostPort;
import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.KvClientOptions;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.proto.RangeStatusPb;
import io.flotilla.multiraft.proto.StatusRequest;
import io.flotilla.multiraft.proto.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's status tells the placement driver each led range's size and load, and its disk. */
class StoreStatusTest {
  @TempDir
  Path dir;

  @Test
  void theLeaderReportsItsRangesSizeLoadAndSplitKeyAndTheStoresDisk() {
    Node n = Node.start(NodeConfig.of(dir.resolve("n1"), new HostPort("127.0.0.1", 0),
        List.of()), line -> { });
    ManagedChannel ch = ManagedChannelBuilder.forTarget(n.address()).usePlaintext().build();
    try (n; KvClient client = new KvClient(List.of(n.address()),
        KvClientOptions.defaults().withTotalTimeout(Duration.ofSeconds(30)))) {
      byte[] value = new byte[300];
      for (int i = 0; i < 400; i++) {
        client.put(key(i), value);
      }
      for (int i = 0; i < 100; i++) {
        client.get(key(i));
      }
      // Published with the next tick: ask until the last requests are counted.
      StatusResponse status;
      RangeStatusPb user;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      do {
        status = NodeAdminGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
            .status(StatusRequest.getDefaultInstance());
        user = status.getRangesList().stream()
            .filter(r -> r.getRange().getRangeId() == Keyspace.FIRST_USER_RANGE_ID).findFirst()
            .orElseThrow();
      } while ((user.getWrites() < 400 || user.getReads() < 100)
          && System.nanoTime() < deadline);
      assertTrue(user.getApproxBytes() > 400 * 300 / 4, user.toString());
      assertTrue(user.getApproxKeys() > 0, user.toString());
      assertTrue(user.getWrites() >= 400 && user.getReads() >= 100, user.toString());
      assertTrue(user.getWriteBytes() >= 400 * 300, user.toString());
      byte[] split = user.getLoadSplitKey().toByteArray();
      assertTrue(Arrays.compareUnsigned(split, Keyspace.toInternal(key(0))) > 0
          && Arrays.compareUnsigned(split, Keyspace.toInternal(key(399))) < 0,
          Keyspace.show(split));
      assertTrue(status.getStore().getCapacityBytes() >= status.getStore().getAvailableBytes()
          && status.getStore().getUsedBytes() > 0, status.getStore().toString());
    } finally {
      ch.shutdownNow();
    }
  }

  private static byte[] key(int i) {
    return String.format("key%04d", i).getBytes(StandardCharsets.UTF_8);
  }
}
