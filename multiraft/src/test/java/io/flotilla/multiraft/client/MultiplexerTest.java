package io.flotilla.multiraft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.KvRequest;
import io.flotilla.multiraft.proto.KvRequestBatch;
import io.flotilla.multiraft.proto.KvResponse;
import io.flotilla.multiraft.proto.KvResponseBatch;
import io.flotilla.multiraft.proto.PutRequest;
import io.flotilla.multiraft.proto.WriteResponse;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's multiplexed stream against a scripted node over real gRPC on loopback: answers
 * find their callers by id in any order, a broken stream fails exactly the requests sent on it
 * (never leaves them waiting) and the next request opens a new stream, and a request nobody
 * answers ends with DEADLINE_EXCEEDED (which the router treats as an unknown outcome).
 */
class MultiplexerTest {
  /** A node that records the requests of each stream and answers only when told. */
  static final class ScriptedNode extends KvGrpc.KvImplBase {
    final LinkedBlockingQueue<KvRequest> received = new LinkedBlockingQueue<>();
    final AtomicInteger streams = new AtomicInteger();
    volatile StreamObserver<KvResponseBatch> out;

    @Override
    public StreamObserver<KvRequestBatch> multiplex(StreamObserver<KvResponseBatch> o) {
      out = o;
      streams.incrementAndGet();
      return new StreamObserver<>() {
        @Override
        public void onNext(KvRequestBatch b) {
          received.addAll(b.getRequestsList());
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
      };
    }

    KvRequest next() throws InterruptedException {
      KvRequest r = received.poll(10, TimeUnit.SECONDS);
      if (r == null) {
        throw new AssertionError("no request reached the node");
      }
      return r;
    }

    /** Answers {@code r} with a write refused with its own key as the message. */
    void answer(KvRequest r) {
      out.onNext(KvResponseBatch.newBuilder().addResponses(KvResponse.newBuilder()
          .setId(r.getId()).setWrite(WriteResponse.newBuilder().setError(KvError.newBuilder()
              .setCode(KvError.Code.INVALID).setMessage(r.getPut().getKey().toStringUtf8()))))
          .build());
    }
  }

  private final ScriptedNode node = new ScriptedNode();
  private Server server;
  private ManagedChannel channel;
  private Multiplexer mux;

  @BeforeEach
  void start() throws Exception {
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(node).build().start();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext()
        .directExecutor().build();
    mux = new Multiplexer(channel);
  }

  @AfterEach
  void stop() {
    mux.close();
    channel.shutdownNow();
    server.shutdownNow();
  }

  private static KvRequest.Builder put(String key) {
    return KvRequest.newBuilder().setPut(PutRequest.newBuilder().setRangeId(2)
        .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v")));
  }

  private CompletableFuture<KvResponse> callAsync(String key, long timeoutMillis) {
    return CompletableFuture.supplyAsync(() -> mux.call(put(key), timeoutMillis));
  }

  private static String answeredKey(CompletableFuture<KvResponse> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS).getWrite().getError().getMessage();
  }

  @Test
  void answersReachTheirCallersInWhateverOrderTheyCome() throws Exception {
    CompletableFuture<KvResponse> a = callAsync("a", 10_000);
    CompletableFuture<KvResponse> b = callAsync("b", 10_000);
    KvRequest first = node.next();
    KvRequest second = node.next();
    node.answer(second);
    node.answer(first);
    assertEquals("a", answeredKey(a));
    assertEquals("b", answeredKey(b));
    assertEquals(1, node.streams.get(), "both went on one stream");
  }

  @Test
  void aBrokenStreamFailsWhatWasSentOnItAndTheNextRequestOpensANewOne() throws Exception {
    CompletableFuture<KvResponse> lost = callAsync("lost", 10_000);
    node.next();
    node.out.onError(Status.UNAVAILABLE.withDescription("node going away")
        .asRuntimeException());
    Exception e = assertThrows(Exception.class, () -> lost.get(10, TimeUnit.SECONDS));
    StatusRuntimeException sre = (StatusRuntimeException) e.getCause();
    assertEquals(Status.Code.UNAVAILABLE, sre.getStatus().getCode());
    assertTrue(!Failures.certainlyNotSent(sre),
        "a request sent on a stream that broke may have run: a write is ambiguous");

    CompletableFuture<KvResponse> again = callAsync("again", 10_000);
    node.answer(node.next());
    assertEquals("again", answeredKey(again));
    assertEquals(2, node.streams.get());
  }

  @Test
  void aRequestNobodyAnswersEndsWithADeadline() throws Exception {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> mux.call(put("silent"), 200));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    assertEquals("silent", node.next().getPut().getKey().toStringUtf8(),
        "it was sent: its outcome is unknown, not failed");
  }
}
