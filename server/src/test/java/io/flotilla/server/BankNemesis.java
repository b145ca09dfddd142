package io.flotilla.server;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.node.PeerClients;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import io.flotilla.multiraft.proto.AdminSplitResponse;
import io.flotilla.multiraft.proto.TransferLeaderRequest;
import io.flotilla.multiraft.proto.TransferLeaderResponse;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The bank test's faults, one at a time from a seeded schedule: every third step SIGKILLs the
 * node leading the most ranges and restarts it on its data 2 to 4 s later; the others split an
 * account range at a random account or move a random range's leadership to another voter. The
 * seed decides the steps and their timing; which node, range or store they hit is decided by
 * the cluster's state at the time.
 */
final class BankNemesis {
  private static final Duration RPC = Duration.ofSeconds(10);

  private final DemoCluster cluster;
  private final Random random;
  int splits;
  int leaderTransfers;
  /** Asked for but refused or failed (no leader yet, a node down): faults of their own. */
  int refused;

  BankNemesis(DemoCluster cluster, long seed) {
    this.cluster = cluster;
    this.random = new Random(seed);
  }

  /** Splits the accounts into ten ranges, at acct/010, acct/020, ... (before the clients). */
  void splitAccounts() {
    for (int i = 10; i < Bank.ACCOUNTS; i += 10) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (split(Bank.account(i)) == null) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not split at " + Bank.account(i));
        }
        Pause.millis(200);
      }
    }
  }

  /** Runs steps until {@code endNanos}, then leaves every node running. */
  void run(long endNanos) throws Exception {
    Pause.millis(1000 + random.nextInt(1000));
    for (int step = 0; System.nanoTime() < endNanos - TimeUnit.SECONDS.toNanos(2); step++) {
      cluster.checkAlive("before a nemesis step");
      cluster.restartMissing(Duration.ofSeconds(20));
      if (step % 3 == 0) {
        int victim = cluster.mostLeader(random);
        cluster.kill(victim);
        Pause.millis(2000 + random.nextInt(2000));
        cluster.restart(victim);
        cluster.awaitLive(Duration.ofSeconds(20));
      } else if (random.nextBoolean()) {
        String at = Bank.account(1 + random.nextInt(Bank.ACCOUNTS - 1));
        System.out.println("nemesis: split at " + at);
        AdminSplitResponse r = split(at);
        if (r == null) {
          refused++;
        } else if (!r.getSplitKey().isEmpty()) {
          splits++; // a new boundary, not one already there
        }
      } else {
        transferLeader(random.nextInt(1 << 20), random.nextInt(1 << 20));
      }
      Pause.millis(1000 + random.nextInt(1000));
    }
  }

  /** The answer of the cluster that split at {@code userKey} (or had already), or null. */
  private AdminSplitResponse split(String userKey) {
    for (String address : cluster.addresses()) {
      try {
        AdminSplitResponse r = PeerClients.<AdminSplitResponse>call(o -> cluster.peers()
            .admin(address, RPC).split(AdminSplitRequest.newBuilder()
                .setUserKey(ByteString.copyFromUtf8(userKey))
                .setStickyUntilMillis(RangeDescriptor.STICKY_FOREVER).build(), o)).join();
        if (!r.hasError()) {
          return r;
        }
      } catch (RuntimeException e) {
        // This node is down or busy: ask the next one.
      }
    }
    return null;
  }

  /**
   * Moves the leadership of a range to another of its voters; {@code rangePick} and {@code
   * storePick} (drawn by the schedule) choose among those the cluster has now.
   */
  private void transferLeader(int rangePick, int storePick) {
    ClusterStatus s = cluster.status();
    if (s == null) {
      refused++;
      return;
    }
    List<ClusterStatus.RangeView> led = s.ranges.stream()
        .filter(r -> r.confirmed() && r.leader() != 0)
        .sorted(Comparator.comparingLong(r -> r.descriptor().rangeId())).toList();
    if (led.isEmpty()) {
      refused++;
      return;
    }
    ClusterStatus.RangeView range = led.get(rangePick % led.size());
    List<Long> others = new ArrayList<>(range.descriptor().members().voters());
    others.remove(range.leader());
    others.sort(null);
    if (others.isEmpty()) {
      refused++;
      return;
    }
    long to = others.get(storePick % others.size());
    long rangeId = range.descriptor().rangeId();
    System.out.println("nemesis: range " + rangeId + " leader " + range.leader() + " -> " + to);
    try {
      TransferLeaderResponse r = PeerClients.<TransferLeaderResponse>call(o -> cluster.peers()
          .admin(cluster.address(1 + storePick % DemoCluster.NODES), RPC).transferLeader(
              TransferLeaderRequest.newBuilder().setRangeId(rangeId).setToStore(to).build(), o))
          .join();
      if (r.hasError()) {
        refused++;
      } else {
        leaderTransfers++;
      }
    } catch (RuntimeException e) {
      refused++;
    }
  }
}
