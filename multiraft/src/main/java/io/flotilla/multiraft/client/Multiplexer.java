package io.flotilla.multiraft.client;

import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.KvRequest;
import io.flotilla.multiraft.proto.KvRequestBatch;
import io.flotilla.multiraft.proto.KvResponse;
import io.flotilla.multiraft.proto.KvResponseBatch;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's {@code Multiplex} stream to one node: single-key requests of all the client's
 * threads share it, and those issued while one stream message is being sent go together in the
 * next. A broken stream fails exactly the requests that were sent on it (with its status, which
 * {@link Failures} reads as usual) and the next request opens a new one.
 */
final class Multiplexer implements AutoCloseable {
  /** A bound on one stream message; the rest waits for the next. */
  private static final int MAX_BATCH = 256;

  private record Queued(KvRequest request, CompletableFuture<KvResponse> answer) {}

  private final KvGrpc.KvStub stub;
  private final ConcurrentLinkedQueue<Queued> outgoing = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sending = new AtomicBoolean();
  private final AtomicLong ids = new AtomicLong();
  private volatile Stream stream;
  private volatile boolean closed;

  Multiplexer(ManagedChannel channel) {
    this.stub = KvGrpc.newStub(channel);
  }

  /**
   * Sends {@code request} and waits up to {@code timeoutMillis} for its answer.
   *
   * @throws StatusRuntimeException as a unary call would: the stream failed (status of the
   *     failure) or the time ran out (DEADLINE_EXCEEDED; the request may have run)
   */
  KvResponse call(KvRequest.Builder request, long timeoutMillis) {
    CompletableFuture<KvResponse> answer = new CompletableFuture<>();
    outgoing.add(new Queued(request.setId(ids.incrementAndGet()).build(), answer));
    sendQueued();
    try {
      return answer.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw Status.DEADLINE_EXCEEDED.withDescription("no answer on the multiplexed stream"
          + " within " + timeoutMillis + " ms").asRuntimeException();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException sre) {
        throw new StatusRuntimeException(sre.getStatus(), sre.getTrailers());
      }
      throw Status.fromThrowable(e.getCause()).asRuntimeException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    }
  }

  private void sendQueued() {
    while (!outgoing.isEmpty() && sending.compareAndSet(false, true)) {
      try {
        Stream s = current();
        KvRequestBatch.Builder b = KvRequestBatch.newBuilder();
        for (Queued q; b.getRequestsCount() < MAX_BATCH && (q = outgoing.poll()) != null; ) {
          s.waiting.put(q.request().getId(), q.answer());
          b.addRequests(q.request());
        }
        s.send(b.build());
      } finally {
        sending.set(false);
      }
    }
  }

  private Stream current() {
    Stream s = stream;
    if (s == null || s.failed != null) {
      if (closed) {
        throw new IllegalStateException("the KV client is closed");
      }
      s = new Stream();
      s.requests = stub.multiplex(s);
      stream = s;
    }
    return s;
  }

  @Override
  public void close() {
    closed = true;
    Stream s = stream;
    if (s != null) {
      s.fail(Status.CANCELLED.withDescription("the KV client is closed"));
    }
  }

  /** One stream and the requests sent on it that are not answered yet. */
  private static final class Stream implements StreamObserver<KvResponseBatch> {
    final Map<Long, CompletableFuture<KvResponse>> waiting = new ConcurrentHashMap<>();
    StreamObserver<KvRequestBatch> requests;
    volatile Status failed;

    void send(KvRequestBatch batch) {
      try {
        requests.onNext(batch);
      } catch (RuntimeException e) {
        fail(Status.fromThrowable(e));
      }
      if (failed != null) {
        // Failed while these were being added: they must not wait for answers that never come.
        fail(failed);
      }
    }

    @Override
    public void onNext(KvResponseBatch batch) {
      for (KvResponse r : batch.getResponsesList()) {
        CompletableFuture<KvResponse> f = waiting.remove(r.getId());
        if (f != null) {
          f.complete(r);
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      fail(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      fail(Status.UNAVAILABLE.withDescription("the node closed the multiplexed stream"));
    }

    void fail(Status status) {
      if (failed == null) {
        failed = status;
        if (requests != null) {
          try {
            requests.onError(status.asRuntimeException());
          } catch (RuntimeException e) {
            // Already closed.
          }
        }
      }
      for (Long id : waiting.keySet()) {
        CompletableFuture<KvResponse> f = waiting.remove(id);
        if (f != null) {
          f.completeExceptionally(status.asRuntimeException());
        }
      }
    }
  }
}
