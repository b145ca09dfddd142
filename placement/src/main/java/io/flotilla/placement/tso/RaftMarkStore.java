package io.flotilla.placement.tso;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.CasPb;
import io.flotilla.multiraft.proto.CommandPb;
import io.flotilla.multiraft.runtime.StoreRuntime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The mark in the system range: a linearizable read ({@code StoreRuntime.get}, ReadIndex) and a
 * compare-and-set proposed through Raft on this node's replica of the system range (which must
 * lead it; else the proposal fails with {@code NotLeader}).
 */
public final class RaftMarkStore implements MarkStore {
  /**
   * The mark's key: {@code 0x00 "tso/high-water-mark"}, in the system keyspace next to the node
   * registry ({@code 0x00 "node/"...}) and the range meta records ({@code 0x00 "meta/"...}).
   */
  public static final byte[] KEY = systemKey("tso/high-water-mark");

  private final StoreRuntime runtime;
  private final Duration timeout;

  public RaftMarkStore(StoreRuntime runtime, Duration timeout) {
    this.runtime = runtime;
    this.timeout = timeout;
  }

  private static byte[] systemKey(String name) {
    byte[] s = name.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[s.length + 1];
    out[0] = Keyspace.SYSTEM_PREFIX;
    System.arraycopy(s, 0, out, 1, s.length);
    return out;
  }

  @Override
  public CompletableFuture<Optional<Mark>> read() {
    return runtime.get(Keyspace.SYSTEM_RANGE_ID, KEY.clone())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(v -> Optional.ofNullable(v).map(Mark::decode));
  }

  @Override
  public CompletableFuture<Boolean> compareAndSet(Optional<Mark> expected, Mark next) {
    CasPb.Builder cas = CasPb.newBuilder().setKey(ByteString.copyFrom(KEY))
        .setValue(ByteString.copyFrom(next.encode()));
    expected.ifPresentOrElse(m -> cas.setExpected(ByteString.copyFrom(m.encode())),
        () -> cas.setExpectAbsent(true));
    return runtime.propose(Keyspace.SYSTEM_RANGE_ID, KEY.clone(),
            CommandPb.newBuilder().setCas(cas).build())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(r -> {
          if (r.error() != null) {
            throw r.error();
          }
          return r.ok();
        });
  }
}
