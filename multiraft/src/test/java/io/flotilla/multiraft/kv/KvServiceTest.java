package io.flotilla.multiraft.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.proto.BatchWriteRequest;
import io.flotilla.multiraft.proto.CompareAndSetRequest;
import io.flotilla.multiraft.proto.CompareAndSetResponse;
import io.flotilla.multiraft.proto.DeleteRequest;
import io.flotilla.multiraft.proto.GetRequest;
import io.flotilla.multiraft.proto.GetResponse;
import io.flotilla.multiraft.proto.JoinRequest;
import io.flotilla.multiraft.proto.KeyValue;
import io.flotilla.multiraft.proto.KvError.Code;
import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.NodesRequest;
import io.flotilla.multiraft.proto.NodesResponse;
import io.flotilla.multiraft.proto.PutRequest;
import io.flotilla.multiraft.proto.RangeInfoPb;
import io.flotilla.multiraft.proto.RangeLookupRequest;
import io.flotilla.multiraft.proto.RangeLookupResponse;
import io.flotilla.multiraft.proto.ScanRequest;
import io.flotilla.multiraft.proto.ScanResponse;
import io.flotilla.multiraft.proto.WriteResponse;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kv service over real gRPC against three runtimes: each RPC and each error it maps. */
class KvServiceTest {
  private static final long USER = Keyspace.FIRST_USER_RANGE_ID;

  @TempDir
  Path dir;

  private KvCluster cluster;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private KvGrpc.KvBlockingStub stub(long node) {
    ManagedChannel c = Grpc.newChannelBuilder(cluster.address(node),
        InsecureChannelCredentials.create()).build();
    channels.add(c);
    return KvGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static ByteString key(String userKey) {
    return ByteString.copyFrom(Keyspace.toInternal(userKey.getBytes(StandardCharsets.UTF_8)));
  }

  private static ByteString val(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static PutRequest put(long range, String k, String v) {
    return PutRequest.newBuilder().setRangeId(range).setKey(key(k)).setValue(val(v)).build();
  }

  private static GetRequest get(long range, String k) {
    return GetRequest.newBuilder().setRangeId(range).setKey(key(k)).build();
  }

  private long follower(long rangeId) {
    long leader = cluster.leaderOf(rangeId);
    return cluster.nodeIds().stream().filter(id -> id != leader).findFirst().orElseThrow();
  }

  @Test
  void everyOperationWorksAtTheLeader() {
    cluster = KvCluster.start(dir, 3);
    KvGrpc.KvBlockingStub leader = stub(cluster.leaderOf(USER));
    assertEquals(Code.NONE, leader.put(put(USER, "a", "1")).getError().getCode());
    GetResponse got = leader.get(get(USER, "a"));
    assertTrue(got.getFound());
    assertEquals(val("1"), got.getValue());
    assertFalse(leader.get(get(USER, "missing")).getFound());

    WriteResponse batch = leader.batchWrite(BatchWriteRequest.newBuilder().setRangeId(USER)
        .addPuts(KeyValue.newBuilder().setKey(key("b")).setValue(val("2")))
        .addPuts(KeyValue.newBuilder().setKey(key("c")).setValue(val("3")))
        .addDeletes(key("a")).build());
    assertEquals(Code.NONE, batch.getError().getCode());
    assertFalse(leader.get(get(USER, "a")).getFound());

    CompareAndSetResponse mismatch = leader.compareAndSet(CompareAndSetRequest.newBuilder()
        .setRangeId(USER).setKey(key("b")).setExpected(val("9")).setValue(val("x")).build());
    assertFalse(mismatch.getSucceeded());
    assertTrue(mismatch.getFound());
    assertEquals(val("2"), mismatch.getCurrent());
    CompareAndSetResponse swapped = leader.compareAndSet(CompareAndSetRequest.newBuilder()
        .setRangeId(USER).setKey(key("b")).setExpected(val("2")).setDelete(true).build());
    assertTrue(swapped.getSucceeded());
    CompareAndSetResponse created = leader.compareAndSet(CompareAndSetRequest.newBuilder()
        .setRangeId(USER).setKey(key("b")).setExpectAbsent(true).setValue(val("new")).build());
    assertTrue(created.getSucceeded());
    assertFalse(created.getFound());

    assertEquals(Code.NONE, leader.delete(DeleteRequest.newBuilder().setRangeId(USER)
        .setKey(key("c")).build()).getError().getCode());
    ScanResponse scan = leader.scan(ScanRequest.newBuilder().setRangeId(USER)
        .setStartKey(ByteString.copyFrom(Keyspace.userStart())).setLimit(10).build());
    assertEquals(Code.NONE, scan.getError().getCode());
    assertEquals(List.of(key("b")), scan.getPairsList().stream().map(KeyValue::getKey)
        .toList());
    assertFalse(scan.getLimitReached());
    assertTrue(scan.getRangeEnd().isEmpty(), "the user range reaches the end of the keyspace");
  }

  @Test
  void aScanStopsAtItsLimitAndSaysSo() {
    cluster = KvCluster.start(dir, 3);
    KvGrpc.KvBlockingStub leader = stub(cluster.leaderOf(USER));
    for (String k : List.of("a", "b", "c")) {
      leader.put(put(USER, k, k));
    }
    ScanResponse scan = leader.scan(ScanRequest.newBuilder().setRangeId(USER)
        .setStartKey(key("a")).setEndKey(ByteString.copyFrom(Keyspace.userEnd())).setLimit(2)
        .build());
    assertEquals(2, scan.getPairsCount());
    assertTrue(scan.getLimitReached());

    // Three values of 1.5 MB: a page stops at 4 MiB, after two of them, and says so.
    for (String k : List.of("x1", "x2", "x3")) {
      leader.put(PutRequest.newBuilder().setRangeId(USER).setKey(key(k))
          .setValue(ByteString.copyFrom(new byte[1_500_000])).build());
    }
    ScanResponse big = leader.withMaxInboundMessageSize(32 << 20).scan(ScanRequest.newBuilder()
        .setRangeId(USER).setStartKey(key("x")).setLimit(10).build());
    assertEquals(List.of(key("x1"), key("x2")), big.getPairsList().stream()
        .map(KeyValue::getKey).toList());
    assertTrue(big.getLimitReached());
  }

  @Test
  void aFollowerRefusesWritesWithTheLeaderAndItsDescriptorButServesReads() {
    cluster = KvCluster.start(dir, 3);
    long leader = cluster.leaderOf(USER);
    long follower = follower(USER);
    cluster.await("the follower knows the leader", () -> cluster.runtime(follower).ranges()
        .stream().anyMatch(ri -> ri.descriptor().rangeId() == USER && ri.leader() == leader));
    WriteResponse w = stub(follower).put(put(USER, "a", "1"));
    assertEquals(Code.NOT_LEADER, w.getError().getCode());
    assertEquals(leader, w.getError().getLeaderHint());
    assertEquals(USER, w.getError().getRange().getRangeId());
    // Reads need no leader at hand: the follower's ReadIndex goes through the leader.
    assertEquals(Code.NONE, stub(leader).put(put(USER, "a", "2")).getError().getCode());
    GetResponse g = stub(follower).get(get(USER, "a"));
    assertEquals(Code.NONE, g.getError().getCode(), g.toString());
    assertEquals(val("2"), g.getValue());
  }

  @Test
  void aKeyOutsideTheRangeIsRefusedWithTheCurrentDescriptor() {
    cluster = KvCluster.start(dir, 3);
    KvGrpc.KvBlockingStub leader = stub(cluster.leaderOf(USER));
    // A system key sent to the user range.
    WriteResponse w = leader.put(PutRequest.newBuilder().setRangeId(USER)
        .setKey(ByteString.copyFrom(new byte[] {0, 7})).setValue(val("x")).build());
    assertEquals(Code.KEY_OUTSIDE_RANGE, w.getError().getCode());
    assertEquals(USER, w.getError().getRange().getRangeId());
    assertEquals(ByteString.copyFrom(Keyspace.userStart()), w.getError().getRange()
        .getStartKey());

    long right = cluster.split(key("m").toByteArray());
    KvGrpc.KvBlockingStub leftLeader = stub(cluster.leaderOf(USER));
    GetResponse g = leftLeader.get(get(USER, "z"));
    assertEquals(Code.KEY_OUTSIDE_RANGE, g.getError().getCode());
    assertEquals(key("m"), g.getError().getRange().getEndKey());
    assertEquals(1, g.getError().getRange().getGeneration());
    assertTrue(right != USER);
  }

  @Test
  void aBatchThatSpillsOverTheRangeIsRefusedWhole() {
    cluster = KvCluster.start(dir, 3);
    cluster.split(key("m").toByteArray());
    KvGrpc.KvBlockingStub leader = stub(cluster.leaderOf(USER));
    WriteResponse w = leader.batchWrite(BatchWriteRequest.newBuilder().setRangeId(USER)
        .addPuts(KeyValue.newBuilder().setKey(key("a")).setValue(val("1")))
        .addPuts(KeyValue.newBuilder().setKey(key("z")).setValue(val("2"))).build());
    assertEquals(Code.KEY_OUTSIDE_RANGE, w.getError().getCode());
    assertFalse(leader.get(get(USER, "a")).getFound(), "nothing of a refused batch is written");
  }

  @Test
  void anUnknownRangeIsRangeNotFound() {
    cluster = KvCluster.start(dir, 3);
    KvGrpc.KvBlockingStub leader = stub(cluster.leaderOf(USER));
    assertEquals(Code.RANGE_NOT_FOUND, leader.put(put(77, "a", "1")).getError().getCode());
    assertEquals(Code.RANGE_NOT_FOUND, leader.get(get(77, "a")).getError().getCode());
  }

  @Test
  void rangeLookupListsTheRangesFromTheKeyOnInKeyOrder() {
    cluster = KvCluster.start(dir, 3);
    long mid = cluster.split(key("m").toByteArray());
    long last = cluster.split(key("t").toByteArray());
    long anyNode = cluster.nodeIds().get(0);
    cluster.await("node 1 published all four ranges with their leaders", () -> {
      var published = cluster.runtime(anyNode).ranges();
      return published.size() == 4 && published.stream().allMatch(ri -> ri.leader() != 0);
    });
    RangeLookupResponse all = stub(anyNode).rangeLookup(RangeLookupRequest.newBuilder()
        .setKey(ByteString.EMPTY).build());
    assertEquals(List.of(Keyspace.SYSTEM_RANGE_ID, USER, mid, last),
        all.getRangesList().stream().map(ri -> ri.getRange().getRangeId()).toList());
    for (RangeInfoPb ri : all.getRangesList()) {
      assertEquals(cluster.leaderOf(ri.getRange().getRangeId()), ri.getLeader());
    }
    RangeLookupResponse fromP = stub(anyNode).rangeLookup(RangeLookupRequest.newBuilder()
        .setKey(key("p")).build());
    assertEquals(List.of(mid, last),
        fromP.getRangesList().stream().map(ri -> ri.getRange().getRangeId()).toList());
  }

  @Test
  void aWriteThatCannotCommitIsAmbiguousAndAReadIsNot() {
    // Slow ticks (an election timeout of 2 s) keep the cut-off leader leading meanwhile.
    cluster = KvCluster.start(dir, 3, new RuntimeOptions(200, 10, 3, 100_000),
        Duration.ofMillis(400));
    long leader = cluster.leaderOf(USER);
    KvGrpc.KvBlockingStub stub = stub(leader);
    assertEquals(Code.NONE, stub.put(put(USER, "a", "1")).getError().getCode());
    for (long id : cluster.nodeIds()) {
      if (id != leader) {
        cluster.network().isolate(id);
      }
    }
    WriteResponse w = stub.put(put(USER, "a", "2"));
    assertEquals(Code.AMBIGUOUS, w.getError().getCode(), w.toString());
    CompareAndSetResponse cas = stub.compareAndSet(CompareAndSetRequest.newBuilder()
        .setRangeId(USER).setKey(key("a")).setExpected(val("1")).setValue(val("3")).build());
    assertEquals(Code.AMBIGUOUS, cas.getError().getCode(), cas.toString());
    GetResponse g = stub.get(get(USER, "a"));
    assertEquals(Code.UNAVAILABLE, g.getError().getCode(), g.toString());
  }

  @Test
  void joinAndNodesAreTheMembershipsAndItsFailuresAreErrors() {
    cluster = KvCluster.start(dir, 3);
    NodesResponse nodes = stub(1).nodes(NodesRequest.getDefaultInstance());
    assertEquals(3, nodes.getNodesCount());
    assertEquals(cluster.address(2), nodes.getNodes(1).getAddress());
    assertEquals(Code.UNAVAILABLE, stub(1).join(JoinRequest.newBuilder().setAddress("x:1")
        .build()).getError().getCode());
  }

  @Test
  void theKeyspaceRoundTripsUserKeys() {
    byte[] user = {0, 1, (byte) 0xff};
    byte[] internal = Keyspace.toInternal(user);
    assertArrayEquals(new byte[] {1, 0, 1, (byte) 0xff}, internal);
    assertArrayEquals(user, Keyspace.toUser(internal));
    assertArrayEquals(new byte[] {1}, Keyspace.toInternal(new byte[0]));
    assertEquals("'ab'", Keyspace.show(Keyspace.toInternal("ab".getBytes(
        StandardCharsets.UTF_8))));
    assertEquals("0x00", Keyspace.show(Keyspace.toInternal(new byte[] {0})));
    assertEquals("sys:0007", Keyspace.show(new byte[] {0, 7}));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Keyspace.toUser(new byte[] {0, 7}));
  }
}
