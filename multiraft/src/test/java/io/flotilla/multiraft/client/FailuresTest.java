package io.flotilla.multiraft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.NodesRequest;
import io.flotilla.multiraft.proto.NodesResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What real gRPC failures look like, and which of them prove a request never left: the
 * ambiguity rule of the client stands on this.
 */
class FailuresTest {
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static StatusRuntimeException nodesCall(ManagedChannel c, long deadlineMillis) {
    return assertThrows(StatusRuntimeException.class, () -> KvGrpc.newBlockingStub(c)
        .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
        .nodes(NodesRequest.getDefaultInstance()));
  }

  @Test
  void aRefusedConnectionProvesTheRequestWasNotSent() throws Exception {
    ManagedChannel c = Grpc.newChannelBuilderForAddress("127.0.0.1", freePort(),
        InsecureChannelCredentials.create()).build();
    try {
      StatusRuntimeException first = nodesCall(c, 2000);
      assertTrue(Failures.certainlyNotSent(first), first::toString);
      // And again while the channel is in TRANSIENT_FAILURE (failing fast).
      StatusRuntimeException second = nodesCall(c, 2000);
      assertTrue(Failures.certainlyNotSent(second), second::toString);
    } finally {
      c.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
    }
  }

  @Test
  void aServerThatDiesMidCallLeavesTheOutcomeUnknown() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new KvGrpc.KvImplBase() {
          @Override
          public void nodes(NodesRequest req, StreamObserver<NodesResponse> out) {
            arrived.countDown(); // and never answer
          }
        }).build().start();
    ManagedChannel c = Grpc.newChannelBuilderForAddress("127.0.0.1", server.getPort(),
        InsecureChannelCredentials.create()).build();
    try {
      Thread killer = new Thread(() -> {
        try {
          arrived.await();
          server.shutdownNow();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      killer.start();
      StatusRuntimeException e = nodesCall(c, 5000);
      killer.join();
      assertFalse(Failures.certainlyNotSent(e), e::toString);
      StatusRuntimeException after = nodesCall(c, 2000);
      assertTrue(Failures.certainlyNotSent(after), "once the server is gone, connecting fails: "
          + after);
    } finally {
      c.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
      server.shutdownNow();
    }
  }

  @Test
  void deadlinesAndBareUnavailableAreNotProof() {
    assertFalse(Failures.certainlyNotSent(Status.DEADLINE_EXCEEDED.asRuntimeException()));
    assertFalse(Failures.certainlyNotSent(Status.UNAVAILABLE.asRuntimeException()));
    assertFalse(Failures.certainlyNotSent(Status.CANCELLED.asRuntimeException()));
    assertTrue(Failures.certainlyNotSent(Status.UNIMPLEMENTED.asRuntimeException()));
    assertTrue(Failures.certainlyNotSent(Status.UNAVAILABLE.withCause(
        new java.net.ConnectException("refused")).asRuntimeException()));
    assertEquals("UNAVAILABLE (gone)", Failures.describe(Status.UNAVAILABLE
        .withDescription("gone").asRuntimeException()));
  }
}
