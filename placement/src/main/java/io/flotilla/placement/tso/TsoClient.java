package io.flotilla.placement.tso;

import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.NodeInfoPb;
import io.flotilla.multiraft.proto.NodesRequest;
import io.flotilla.multiraft.proto.NodesResponse;
import io.flotilla.placement.tso.proto.GetTimestampsRequest;
import io.flotilla.placement.tso.proto.GetTimestampsResponse;
import io.flotilla.placement.tso.proto.TsoGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client of the {@code Tso} service: finds the node that leads the system range (following
 * {@code NOT_LEADER} hints, resolving node ids to addresses with {@code Kv.Nodes}, trying the
 * known nodes in turn when no hint helps), retries with exponential backoff until a caller's
 * deadline, and batches concurrent callers: one RPC is in flight at a time, and the callers that
 * arrive meanwhile share the next one (up to {@code maxBatch} timestamps), each getting its own
 * contiguous part of the batch.
 *
 * <p>Every timestamp a call returns is greater than every timestamp any call (of any client)
 * had returned before this call was made. Thread-safe; one thread of its own for backoffs.
 */
public final class TsoClient implements AutoCloseable {

  /**
   * @param totalTimeout how long a caller waits for its timestamps, retries included
   * @param rpcTimeout the deadline of one RPC
   * @param minBackoff the first backoff between retries, doubled up to {@code maxBackoff}
   * @param maxBatch the most timestamps one RPC asks for (the server takes up to 10,000)
   */
  public record Options(Duration totalTimeout, Duration rpcTimeout, Duration minBackoff,
      Duration maxBackoff, int maxBatch) {
    public static final Options DEFAULTS = new Options(Duration.ofSeconds(10),
        Duration.ofSeconds(6), Duration.ofMillis(5), Duration.ofMillis(200), 10_000);

    public Options withTotalTimeout(Duration d) {
      return new Options(d, rpcTimeout, minBackoff, maxBackoff, maxBatch);
    }
  }

  /** No timestamps within the caller's deadline, or the client was closed. */
  public static final class TsoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TsoException(String message) {
      super(message);
    }
  }

  private record Waiter(int count, long deadlineNanos, CompletableFuture<Long> result) {}

  private final List<String> seeds;
  private final Options options;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<Long, String> directory = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private final Object lock = new Object();
  // Guarded by lock.
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private boolean inFlight;
  private boolean closed;
  private int turn;
  private volatile String leader; // the address that answered last, or null
  private volatile String lastError = "none";
  private final AtomicLong rpcs = new AtomicLong();

  /** @param addresses {@code host:port} of some nodes of the cluster */
  public TsoClient(List<String> addresses, Options options) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("a TSO client needs at least one node address");
    }
    this.seeds = List.copyOf(addresses);
    this.options = options;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tso-client");
      t.setDaemon(true);
      return t;
    });
  }

  public TsoClient(List<String> addresses) {
    this(addresses, Options.DEFAULTS);
  }

  /** One timestamp; blocks. */
  public long getTimestamp() {
    try {
      return getTimestamps(1).get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new TsoException(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TsoException("interrupted");
    }
  }

  /**
   * {@code count} contiguous timestamps (1 to {@code maxBatch}); completes with the first, or
   * fails with {@link TsoException}.
   */
  public CompletableFuture<Long> getTimestamps(int count) {
    if (count < 1 || count > options.maxBatch()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("asked for " + count
          + " timestamps; one call may ask for 1 to " + options.maxBatch()));
    }
    CompletableFuture<Long> f = new CompletableFuture<>();
    synchronized (lock) {
      if (closed) {
        f.completeExceptionally(new TsoException("the TSO client is closed"));
        return f;
      }
      queue.add(new Waiter(count, System.nanoTime() + options.totalTimeout().toNanos(), f));
    }
    dispatch();
    return f;
  }

  /** RPCs sent so far (for tests and benchmarks: how well callers were batched). */
  public long rpcs() {
    return rpcs.get();
  }

  // ------------------------------------------------------------------ batching

  /** Sends the queued callers' batch if no RPC is in flight. */
  private void dispatch() {
    List<Waiter> batch = new ArrayList<>();
    synchronized (lock) {
      if (inFlight || queue.isEmpty() || closed) {
        return;
      }
      int sum = 0;
      while (!queue.isEmpty() && sum + queue.peek().count() <= options.maxBatch()) {
        Waiter w = queue.poll();
        sum += w.count();
        batch.add(w);
      }
      inFlight = true;
    }
    attempt(batch, 0);
  }

  private void finish(List<Waiter> batch, long first) {
    synchronized (lock) {
      inFlight = false;
    }
    dispatch();
    long next = first;
    for (Waiter w : batch) {
      w.result().complete(next);
      next += w.count();
    }
  }

  private void fail(List<Waiter> batch, RuntimeException e) {
    synchronized (lock) {
      inFlight = false;
    }
    dispatch();
    batch.forEach(w -> w.result().completeExceptionally(e));
  }

  // ------------------------------------------------------------------ one RPC

  private void attempt(List<Waiter> batch, int retries) {
    long now = System.nanoTime();
    List<Waiter> live = new ArrayList<>();
    for (Waiter w : batch) {
      if (now - w.deadlineNanos() > 0) {
        w.result().completeExceptionally(new TsoException("no timestamps within "
            + options.totalTimeout().toMillis() + " ms; last error: " + lastError));
      } else {
        live.add(w);
      }
    }
    boolean isClosed;
    synchronized (lock) {
      isClosed = closed;
    }
    if (isClosed) {
      fail(live, new TsoException("the TSO client is closed"));
      return;
    }
    if (live.isEmpty()) {
      finish(live, 0); // every caller's deadline passed: on to the next batch
      return;
    }
    int count = live.stream().mapToInt(Waiter::count).sum();
    String address = leader != null ? leader : nextCandidate();
    rpcs.incrementAndGet();
    TsoGrpc.newStub(channel(address))
        .withDeadlineAfter(options.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .getTimestamps(GetTimestampsRequest.newBuilder().setCount(count).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(GetTimestampsResponse r) {
                answered(live, address, r, retries);
              }

              @Override
              public void onError(Throwable t) {
                lastError = address + ": " + t;
                leader = null;
                // A node that restarted elsewhere left its old address here: forget it, so
                // that the next hint naming it asks the cluster where it is now.
                directory.values().removeIf(address::equals);
                refreshDirectory();
                retryLater(live, retries);
              }

              @Override
              public void onCompleted() {}
            });
  }

  private void answered(List<Waiter> batch, String address, GetTimestampsResponse r,
      int retries) {
    KvError.Code code = r.hasError() ? r.getError().getCode() : KvError.Code.NONE;
    switch (code) {
      case NONE -> {
        leader = address;
        finish(batch, r.getFirst());
      }
      case INVALID -> fail(batch, new IllegalArgumentException(r.getError().getMessage()));
      case NOT_LEADER -> {
        lastError = address + ": " + r.getError().getMessage();
        long hint = r.getError().getLeaderHint();
        String hinted = hint == 0 ? null : directory.get(hint);
        if (hint != 0 && hinted == null) {
          refreshDirectory();
        }
        leader = hinted;
        if (hinted != null && !hinted.equals(address) && retries < 2) {
          attempt(batch, retries + 1); // a fresh hint: follow it at once
        } else {
          retryLater(batch, retries);
        }
      }
      default -> {
        lastError = address + ": " + r.getError().getMessage();
        retryLater(batch, retries);
      }
    }
  }

  private void retryLater(List<Waiter> batch, int retries) {
    long min = options.minBackoff().toNanos();
    long delay = Math.min(options.maxBackoff().toNanos(), min << Math.min(retries, 20));
    try {
      timer.schedule(() -> attempt(batch, retries + 1), delay, TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      fail(batch, new TsoException("the TSO client is closed"));
    }
  }

  // ------------------------------------------------------------------ finding nodes

  private String nextCandidate() {
    LinkedHashSet<String> all = new LinkedHashSet<>(seeds);
    all.addAll(directory.values());
    List<String> list = List.copyOf(all);
    synchronized (lock) {
      return list.get(Math.floorMod(turn++, list.size()));
    }
  }

  /** Learns node ids and addresses from a node ({@code Kv.Nodes}); one refresh at a time. */
  private void refreshDirectory() {
    if (!refreshing.compareAndSet(false, true)) {
      return;
    }
    String from = nextCandidate();
    KvGrpc.newStub(channel(from)).withDeadlineAfter(options.rpcTimeout().toMillis(),
        TimeUnit.MILLISECONDS).nodes(NodesRequest.getDefaultInstance(), new StreamObserver<>() {
          @Override
          public void onNext(NodesResponse r) {
            for (NodeInfoPb n : r.getNodesList()) {
              directory.put(n.getNodeId(), n.getAddress());
            }
          }

          @Override
          public void onError(Throwable t) {
            refreshing.set(false);
          }

          @Override
          public void onCompleted() {
            refreshing.set(false);
          }
        });
  }

  private ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address,
        a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build());
  }

  /** Fails every waiting caller and closes the connections. */
  @Override
  public void close() {
    List<Waiter> waiting;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      waiting = new ArrayList<>(queue);
      queue.clear();
    }
    TsoException e = new TsoException("the TSO client is closed");
    waiting.forEach(w -> w.result().completeExceptionally(e));
    timer.shutdownNow();
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
