package io.flotilla.multiraft.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.proto.KvResponse;
import io.flotilla.multiraft.proto.KvResponseBatch;
import io.flotilla.multiraft.proto.WriteResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The server's side of a multiplexed stream, with answers completing on many threads at once
 * (as they do on the raft threads and the deadline timer): every answer is sent exactly once,
 * the stream is never written by two threads at a time, and answers that complete together
 * share stream messages.
 */
class MultiplexedStreamTest {
  /** Records what is sent and whether two sends ever overlapped. */
  static final class Recording implements StreamObserver<KvResponseBatch> {
    final List<Long> ids = new ArrayList<>();
    final CountDownLatch allSent;
    final AtomicBoolean inside = new AtomicBoolean();
    final AtomicInteger messages = new AtomicInteger();
    volatile boolean overlapped;

    Recording(int expected) {
      allSent = new CountDownLatch(expected);
    }

    @Override
    public void onNext(KvResponseBatch b) {
      if (!inside.compareAndSet(false, true)) {
        overlapped = true;
      }
      synchronized (ids) {
        b.getResponsesList().forEach(r -> ids.add(r.getId()));
      }
      b.getResponsesList().forEach(r -> allSent.countDown());
      messages.incrementAndGet();
      Thread.onSpinWait();
      inside.set(false);
    }

    @Override
    public void onError(Throwable t) {
    }

    @Override
    public void onCompleted() {
    }
  }

  @Test
  void answersFromManyThreadsAreSentOnceEachNeverConcurrentlyAndCoalesced() throws Exception {
    int answers = 20_000;
    Recording out = new Recording(answers);
    ExecutorService sender = Executors.newFixedThreadPool(2);
    ExecutorService completers = Executors.newFixedThreadPool(8);
    MultiplexedStream stream = new MultiplexedStream((r, s) -> { }, out, sender);
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < 8; t++) {
      int first = t;
      completers.execute(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (long id = first; id < answers; id += 8) {
          stream.<WriteResponse>answerTo(id, KvResponse.Builder::setWrite)
              .onNext(WriteResponse.getDefaultInstance());
        }
      });
    }
    go.countDown();
    completers.shutdown();
    assertTrue(completers.awaitTermination(30, TimeUnit.SECONDS));
    assertTrue(out.allSent.await(30, TimeUnit.SECONDS), "every answer was sent");
    sender.shutdown();
    assertTrue(sender.awaitTermination(30, TimeUnit.SECONDS));
    Set<Long> distinct;
    synchronized (out.ids) {
      assertEquals(answers, out.ids.size(), "every answer sent, none twice");
      distinct = new HashSet<>(out.ids);
    }
    assertEquals(answers, distinct.size());
    assertTrue(!out.overlapped, "the stream was written by one thread at a time");
    assertTrue(out.messages.get() < answers, "answers completing together share messages: "
        + out.messages.get() + " messages for " + answers + " answers");
  }
}
