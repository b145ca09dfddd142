package io.flotilla.multiraft.kv;

import io.flotilla.multiraft.proto.KvRequest;
import io.flotilla.multiraft.proto.KvRequestBatch;
import io.flotilla.multiraft.proto.KvResponse;
import io.flotilla.multiraft.proto.KvResponseBatch;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * The server's side of one {@code Multiplex} stream: every request in a batch is handed to the
 * same code as its unary RPC, and the answers go back coalesced: an answer is queued where it
 * completes (the raft thread, for most), and one task on {@code sender} sends all that queued up
 * meanwhile in one stream message. One thread switch per burst of answers, not per answer.
 */
final class MultiplexedStream implements StreamObserver<KvRequestBatch> {
  /** Serves one request the way its unary RPC would, answering through {@link #answerTo}. */
  interface Handler {
    void serve(KvRequest request, MultiplexedStream stream);
  }

  private final Handler handler;
  private final StreamObserver<KvResponseBatch> out;
  private final ConcurrentLinkedQueue<KvResponse> ready = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sending = new AtomicBoolean();
  private final Executor sender;
  private volatile boolean closed;

  MultiplexedStream(Handler handler, StreamObserver<KvResponseBatch> out, Executor sender) {
    this.handler = handler;
    this.out = out;
    this.sender = sender;
  }

  @Override
  public void onNext(KvRequestBatch batch) {
    for (KvRequest r : batch.getRequestsList()) {
      handler.serve(r, this);
    }
  }

  @Override
  public void onError(Throwable t) {
    // The client went away: answers still in flight have no one to go to.
    closed = true;
  }

  @Override
  public void onCompleted() {
    closed = true;
    synchronized (out) {
      try {
        out.onCompleted();
      } catch (RuntimeException e) {
        // Already cancelled.
      }
    }
  }

  /**
   * An observer for the unary answer of request {@code id}; {@code set} puts it in a
   * {@link KvResponse}.
   */
  <T> StreamObserver<T> answerTo(long id, BiConsumer<KvResponse.Builder, T> set) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        KvResponse.Builder b = KvResponse.newBuilder().setId(id);
        set.accept(b, value);
        add(b.build());
      }

      @Override
      public void onError(Throwable t) {
        // The unary handlers answer every failure as a KvError and never end a call this way.
      }

      @Override
      public void onCompleted() {
      }
    };
  }

  private void add(KvResponse r) {
    ready.add(r);
    if (sending.compareAndSet(false, true)) {
      try {
        sender.execute(this::sendReady);
      } catch (RejectedExecutionException e) {
        // The node is shutting down; the client's stream fails with it.
        closed = true;
        sending.set(false);
      }
    }
  }

  /** Sends everything queued; runs on the sender, one task at a time per stream. */
  private void sendReady() {
    while (true) {
      KvResponseBatch.Builder b = KvResponseBatch.newBuilder();
      for (KvResponse next; (next = ready.poll()) != null; ) {
        b.addResponses(next);
      }
      if (b.getResponsesCount() > 0) {
        synchronized (out) {
          try {
            if (!closed) {
              out.onNext(b.build());
            }
          } catch (RuntimeException e) {
            closed = true;
          }
        }
      }
      sending.set(false);
      // An answer queued after the poll but before the flag dropped found it set: send it.
      if (ready.isEmpty() || !sending.compareAndSet(false, true)) {
        return;
      }
    }
  }
}
