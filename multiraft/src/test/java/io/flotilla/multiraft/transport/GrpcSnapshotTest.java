package io.flotilla.multiraft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.kv.snapshot.KeySpan;
import io.flotilla.kv.snapshot.RangeSnapshotExporter;
import io.flotilla.kv.snapshot.RangeSnapshotReceiver;
import io.flotilla.kv.snapshot.SnapshotOptions;
import io.flotilla.kv.snapshot.SnapshotProgress;
import io.flotilla.multiraft.proto.RaftTransportGrpc;
import io.flotilla.multiraft.proto.SnapshotAck;
import io.flotilla.multiraft.proto.SnapshotChunkPb;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Message;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.SnapshotMetadata;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/** Range snapshots from a real kv-engine store, streamed over real gRPC. */
class GrpcSnapshotTest {
  private static final long RANGE = 7;

  @TempDir
  Path dir;
  private final TestNodes nodes = new TestNodes();
  private Store storeA;
  private Store storeB;

  @BeforeEach
  void stores() {
    storeA = Store.create(dir.resolve("a"),
        new StoreIdentity(TestNodes.CLUSTER, 1, Store.FORMAT_VERSION), StoreOptions.DEFAULTS);
    storeB = Store.create(dir.resolve("b"),
        new StoreIdentity(TestNodes.CLUSTER, 2, Store.FORMAT_VERSION), StoreOptions.DEFAULTS);
  }

  @AfterEach
  void close() {
    nodes.close();
    storeA.close();
    storeB.close();
  }

  @Test
  void aRangeSnapshotIsStreamedStagedAndInstalled() throws Exception {
    fill(storeA, 500, 1000);
    RecordingHandler hb = new RecordingHandler();
    GrpcTransport a = nodes.start(1, new RecordingHandler());
    GrpcTransport b = nodes.start(2, TestNodes.CLUSTER, TestNodes.FAST,
        new RangeSnapshotReceiver(storeB)::begin, hb);
    Envelope install = installSnapshot();
    CompletableFuture<Boolean> outcome = send(a, install);

    hb.await(() -> hb.snapshots().size() == 1, "node 2 staged the snapshot");
    RecordingHandler.Staged staged = hb.snapshots().get(0);
    assertEquals(1, staged.from());
    assertEquals(Messages.view(install), Messages.view(staged.envelope()));
    assertEquals(List.of(), dump(storeB), "staged, not applied");
    staged.staged().complete(staged.manifest()); // what the runtime does once Raft accepts it
    assertEquals(dump(storeA), dump(storeB));
    assertEquals(500, dump(storeB).size());

    assertTrue(outcome.get(20, TimeUnit.SECONDS), "accepted");
    assertOutgoingDeleted();
    assertEquals(1, a.stats().snapshotsSent());
    assertEquals(staged.manifest().totalBytes(), a.stats().snapshotBytesSent());
    assertEquals(staged.manifest().totalBytes(), b.stats().snapshotBytesReceived());
    assertEquals(1, b.stats().snapshotsReceived());
  }

  @Test
  void theRateLimitBoundsHowFastSnapshotsGo() throws Exception {
    fill(storeA, 2600, 1000); // random values: the SST files do not compress below 2 MiB
    RecordingHandler hb = new RecordingHandler();
    GrpcTransport a = nodes.start(1, TestNodes.CLUSTER,
        TestNodes.FAST.withSnapshotBytesPerSecond(1 << 20), IncomingSnapshots.REFUSE,
        new RecordingHandler());
    nodes.start(2, TestNodes.CLUSTER, TestNodes.FAST, new RangeSnapshotReceiver(storeB)::begin,
        hb);
    long start = System.nanoTime();
    CompletableFuture<Boolean> outcome = send(a, installSnapshot());
    assertTrue(outcome.get(30, TimeUnit.SECONDS));
    double seconds = (System.nanoTime() - start) / 1e9;
    long bytes = a.stats().snapshotBytesSent();
    assertTrue(bytes >= 2 << 20, bytes + " bytes sent");
    // A lower bound only: the limiter must not let the bytes out faster than the rate allows
    // beyond its burst of a tenth of a second.
    assertTrue(seconds >= 1.5, bytes + " bytes at 1 MiB/s took only " + seconds + " s");
    hb.snapshots().get(0).staged().close();
  }

  @Test
  void aReceiverThatRefusesSnapshotsReportsNotAcceptedAndTheExportIsDeleted()
      throws Exception {
    fill(storeA, 10, 100);
    GrpcTransport a = nodes.start(1, new RecordingHandler());
    RecordingHandler hb = new RecordingHandler();
    GrpcTransport b = nodes.start(2, hb); // IncomingSnapshots.REFUSE
    assertFalse(send(a, installSnapshot()).get(20, TimeUnit.SECONDS));
    assertOutgoingDeleted();
    assertEquals(1, a.stats().snapshotsFailed());
    assertEquals(1, b.stats().snapshotsRefused());
    assertEquals(List.of(), hb.snapshots());
  }

  @Test
  void aCorruptChunkIsRefusedWithAnErrorAndNothingStays() throws Exception {
    RecordingHandler hb = new RecordingHandler();
    GrpcTransport b = nodes.start(2, TestNodes.CLUSTER, TestNodes.FAST,
        new RangeSnapshotReceiver(storeB)::begin, hb);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", b.port())
        .usePlaintext().build();
    try {
      CompletableFuture<SnapshotAck> answer = new CompletableFuture<>();
      StreamObserver<SnapshotChunkPb> chunks = RaftTransportGrpc.newStub(channel)
          .sendSnapshot(observer(answer));
      chunks.onNext(SnapshotChunkPb.newBuilder().setClusterId(TestNodes.CLUSTER).setFromNode(1)
          .setToNode(2).setSnapshotId(42).setFileName("data-000001.sst").setCf("data")
          .setData(ByteString.copyFromUtf8("not what the checksum says")).setCrc32C(12345)
          .build());
      SnapshotAck ack = answer.get(20, TimeUnit.SECONDS);
      assertFalse(ack.getOk());
      assertTrue(ack.getError().contains("corrupt"), ack.getError());
      chunks.onCompleted();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertEquals(1, b.stats().snapshotsRefused());
    assertEquals(List.of(), hb.snapshots());
    try (Stream<Path> staged = list(storeB.dir().resolve("snapshots/incoming"))) {
      assertEquals(0, staged.count(), "staging directory discarded");
    }
  }

  private CompletableFuture<Boolean> send(GrpcTransport a, Envelope install) {
    CompletableFuture<Boolean> outcome = new CompletableFuture<>();
    a.sendSnapshot(install, (range, id) -> RangeSnapshotExporter.export(storeA, id,
        KeySpan.all(), Messages.bytes("range " + range), SnapshotOptions.DEFAULTS,
        SnapshotProgress.NONE), (to, range, accepted) -> {
          assertEquals(2, to);
          assertEquals(RANGE, range);
          outcome.complete(accepted);
        });
    return outcome;
  }

  private static Envelope installSnapshot() {
    return new Envelope(RANGE, new Message.InstallSnapshot(1, 2, 3, new Snapshot(
        new SnapshotMetadata(50, 3, ConfState.ofVoters(1L, 2L)), Messages.bytes("meta"))));
  }

  private void assertOutgoingDeleted() throws IOException {
    try (Stream<Path> left = list(storeA.dir().resolve("snapshots/outgoing"))) {
      assertEquals(0, left.count(), "the exported files are deleted");
    }
  }

  private static Stream<Path> list(Path p) throws IOException {
    return Files.isDirectory(p) ? Files.list(p) : Stream.empty();
  }

  private static StreamObserver<SnapshotAck> observer(CompletableFuture<SnapshotAck> answer) {
    return new StreamObserver<>() {
      @Override
      public void onNext(SnapshotAck value) {
        answer.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }

  /** {@code keys} keys in the data family with random values of {@code valueBytes}. */
  private static void fill(Store store, int keys, int valueBytes) throws Exception {
    SplittableRandom random = new SplittableRandom(keys);
    try (WriteBatch batch = new WriteBatch()) {
      for (int i = 0; i < keys; i++) {
        byte[] value = new byte[valueBytes];
        random.nextBytes(value);
        batch.put(store.handle(Cf.DATA), Messages.bytes(String.format("k%06d", i)), value);
      }
      store.write(batch);
    }
  }

  private static List<String> dump(Store store) {
    List<String> out = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = store.newIterator(Cf.DATA, ro)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        out.add(hex.formatHex(it.key()) + "=" + hex.formatHex(it.value()));
      }
    }
    return out;
  }
}
