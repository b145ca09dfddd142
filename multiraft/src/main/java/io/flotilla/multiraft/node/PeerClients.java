package io.flotilla.multiraft.node;

import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * gRPC channels to other nodes' client port (where {@code NodeAdmin} and {@code Kv} are
 * served), one per address, opened on first use and kept until {@link #close()}. Not for Raft
 * traffic, which has its own streams in the transport. Also used by tools ({@code flotilla
 * status}, {@code flotilla demo}).
 */
public final class PeerClients implements AutoCloseable {
  private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** The admin service of the node at {@code address}, with a deadline for one call. */
  public NodeAdminGrpc.NodeAdminStub admin(String address, Duration deadline) {
    return NodeAdminGrpc.newStub(channel(address))
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The KV service of the node at {@code address}, with a deadline for one call. */
  public KvGrpc.KvStub kv(String address, Duration deadline) {
    return KvGrpc.newStub(channel(address))
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  private ManagedChannel channel(String address) {
    if (closed) {
      throw new IllegalStateException("peer clients are closed");
    }
    ManagedChannel c = channels.computeIfAbsent(address,
        a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build());
    if (c.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      // gRPC backs off up to two minutes between attempts; callers call about once a second
      // and want to see a restarted node at once.
      c.resetConnectBackoff();
    }
    return c;
  }

  /** One unary call as a future: {@code call} starts it with the observer it is given. */
  public static <T> CompletableFuture<T> call(Consumer<StreamObserver<T>> call) {
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      call.accept(new StreamObserver<T>() {
        @Override
        public void onNext(T value) {
          f.complete(value);
        }

        @Override
        public void onError(Throwable t) {
          f.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
          if (!f.isDone()) {
            f.completeExceptionally(new IllegalStateException("call ended without an answer"));
          }
        }
      });
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public void close() {
    closed = true;
    List<ManagedChannel> all = new ArrayList<>(channels.values());
    channels.clear();
    for (ManagedChannel c : all) {
      c.shutdownNow();
    }
    for (ManagedChannel c : all) {
      try {
        c.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
