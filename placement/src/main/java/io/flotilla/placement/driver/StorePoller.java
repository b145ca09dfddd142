package io.flotilla.placement.driver;

import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.proto.StatusRequest;
import io.flotilla.multiraft.proto.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The stores' heartbeats, pulled: each round the driver asks every node for its status (its
 * disk, and the size and load of the ranges it leads). Pulling rather than pushing means no node
 * needs to know where the driver is as the system range's leadership moves; a node that does not
 * answer within the deadline simply did not report this round.
 */
final class StorePoller implements AutoCloseable {
  /** One store's last answer and when it came. */
  record Report(StatusResponse status, long atMillis) {}

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Duration deadline;

  StorePoller(Duration deadline) {
    this.deadline = deadline;
  }

  /** Asks every node at once; completes with the answers that came within the deadline. */
  CompletableFuture<Map<Long, Report>> poll(Map<Long, String> addresses, long nowMillis) {
    Map<Long, CompletableFuture<StatusResponse>> asked = new HashMap<>();
    addresses.forEach((id, address) -> asked.put(id, status(address)));
    return CompletableFuture.allOf(asked.values().stream()
            .map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
        .thenApply(done -> {
          Map<Long, Report> out = new HashMap<>();
          asked.forEach((id, f) -> {
            StatusResponse s = f.isCompletedExceptionally() ? null : f.getNow(null);
            if (s != null && s.getNodeId() == id) {
              out.put(id, new Report(s, nowMillis));
            }
          });
          return out;
        });
  }

  private CompletableFuture<StatusResponse> status(String address) {
    CompletableFuture<StatusResponse> f = new CompletableFuture<>();
    NodeAdminGrpc.newStub(channel(address))
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .status(StatusRequest.getDefaultInstance(), new StreamObserver<>() {
          @Override
          public void onNext(StatusResponse value) {
            f.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            f.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            f.completeExceptionally(new IllegalStateException(address + " sent no status"));
          }
        });
    return f;
  }

  ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address,
        a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build());
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
