package io.flotilla.server;

import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.proto.NodeInfoPb;
import io.flotilla.multiraft.proto.StatusRequest;
import io.flotilla.placement.proto.PlacementGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Finds the node that drives placement and asks it: each node answers the placement API only
 * if it leads the system range, and otherwise names the one that does.
 */
final class PlacementClient implements AutoCloseable {
  private final List<String> seeds;
  private final long deadlineNanos;
  private final List<ManagedChannel> channels = new ArrayList<>();

  PlacementClient(List<String> seeds, long timeoutSeconds) {
    this.seeds = seeds;
    this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
  }

  /**
   * Calls {@code call} on the driver's node. {@code errorOf} reads the answer's error; answers
   * other than NOT_LEADER and UNAVAILABLE are returned as they are.
   */
  <T> T call(Function<PlacementGrpc.PlacementBlockingStub, T> call, Function<T, KvError> errorOf)
      throws PlacementException {
    Set<String> toTry = new LinkedHashSet<>(seeds);
    String last = "no node answered";
    while (System.nanoTime() < deadlineNanos) {
      Map<Long, String> book = new TreeMap<>();
      for (String address : toTry) {
        try {
          T answer = call.apply(PlacementGrpc.newBlockingStub(channel(address))
              .withDeadlineAfter(10, TimeUnit.SECONDS));
          KvError e = errorOf.apply(answer);
          if (e.getCode() == KvError.Code.NONE || e.getCode() == KvError.Code.INVALID) {
            return answer;
          }
          last = address + ": " + e.getMessage();
          if (e.getCode() == KvError.Code.NOT_LEADER && e.getLeaderHint() != 0) {
            if (book.isEmpty()) {
              book.putAll(nodes(address));
            }
            String driver = book.get(e.getLeaderHint());
            if (driver != null && !driver.equals(address)) {
              T again = call.apply(PlacementGrpc.newBlockingStub(channel(driver))
                  .withDeadlineAfter(10, TimeUnit.SECONDS));
              KvError e2 = errorOf.apply(again);
              if (e2.getCode() == KvError.Code.NONE || e2.getCode() == KvError.Code.INVALID) {
                return again;
              }
              last = driver + ": " + e2.getMessage();
            }
          }
        } catch (RuntimeException e) {
          last = address + ": " + e.getMessage();
        }
      }
      try {
        Thread.sleep(300); // the driver is moving or starting: give it a round
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new PlacementException("no placement driver answered in time; last: " + last);
  }

  private Map<Long, String> nodes(String address) {
    Map<Long, String> out = new TreeMap<>();
    try {
      for (NodeInfoPb n : NodeAdminGrpc.newBlockingStub(channel(address))
          .withDeadlineAfter(5, TimeUnit.SECONDS).status(StatusRequest.getDefaultInstance())
          .getNodesList()) {
        out.put(n.getNodeId(), n.getAddress());
      }
    } catch (RuntimeException e) {
      // The hint stays unresolved; the other seeds are tried.
    }
    return out;
  }

  private ManagedChannel channel(String address) {
    ManagedChannel ch = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
    channels.add(ch);
    return ch;
  }

  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
  }

  static final class PlacementException extends Exception {
    PlacementException(String message) {
      super(message);
    }
  }
}
