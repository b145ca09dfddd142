package io.flotilla.placement.driver;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.kv.mvcc.KvPair;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.CommandPb;
import io.flotilla.multiraft.proto.PutPb;
import io.flotilla.multiraft.runtime.StoreRuntime;
import io.flotilla.placement.proto.DecisionPb;
import io.flotilla.placement.proto.DriverStatePb;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The driver's records in the system range, written through Raft by the node that leads it:
 * its state ({@code 0x00 "placement/state"}: store states, the balancer switch, the next
 * decision id) and its decision log ({@code 0x00 "placement/decision/" + id}, 8 bytes big
 * endian, so the log reads in order). A driver that loses the system range's leadership fails
 * its writes with NotLeader: two drivers never both write.
 */
final class DriverRecords {
  static final byte[] STATE_KEY = systemKey("placement/state");
  static final byte[] DECISION_PREFIX = systemKey("placement/decision/");
  /** Decisions kept: older ones are deleted as new ones are written. */
  static final long KEEP = 10_000;

  private final StoreRuntime runtime;
  private final Map<String, LongAdder> finished = new ConcurrentHashMap<>();
  private final Duration timeout;

  DriverRecords(StoreRuntime runtime, Duration timeout) {
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

  static byte[] decisionKey(long id) {
    return ByteBuffer.allocate(DECISION_PREFIX.length + 8).put(DECISION_PREFIX).putLong(id)
        .array();
  }

  /** The state, read linearizably; the default (all stores up) if none was written. */
  CompletableFuture<DriverStatePb> loadState() {
    return runtime.get(Keyspace.SYSTEM_RANGE_ID, STATE_KEY.clone())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(v -> {
          try {
            return v == null ? DriverStatePb.newBuilder().setNextDecision(1).build()
                : DriverStatePb.parseFrom(v);
          } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the placement driver's state in the system range"
                + " is unreadable", e);
          }
        });
  }

  CompletableFuture<Void> saveState(DriverStatePb state) {
    return put(STATE_KEY, state.toByteArray());
  }

  /** Decisions this node recorded as finished, by outcome, since it started (for metrics). */
  Map<String, Long> finishedByOutcome() {
    Map<String, Long> out = new TreeMap<>();
    finished.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Writes a decision (again, as it progresses) and drops the one {@link #KEEP} before it. */
  CompletableFuture<Void> saveDecision(DecisionPb d) {
    if (!d.getOutcome().isEmpty()) {
      finished.computeIfAbsent(d.getOutcome(), k -> new LongAdder()).increment();
    }
    CommandPb.Builder cmd = CommandPb.newBuilder().addPuts(PutPb.newBuilder()
        .setKey(ByteString.copyFrom(decisionKey(d.getId())))
        .setValue(d.toByteString()));
    if (d.getId() > KEEP) {
      cmd.addDeletes(io.flotilla.multiraft.proto.DeletePb.newBuilder()
          .setKey(ByteString.copyFrom(decisionKey(d.getId() - KEEP))));
    }
    return write(decisionKey(d.getId()), cmd.build());
  }

  /** The decisions from id {@code from} on, oldest first, at most {@code limit}. */
  CompletableFuture<List<DecisionPb>> decisions(long from, int limit) {
    byte[] end = decisionKey(Long.MAX_VALUE);
    return runtime.scan(Keyspace.SYSTEM_RANGE_ID, decisionKey(Math.max(0, from)), end, limit)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(scan -> {
          List<DecisionPb> out = new ArrayList<>(scan.pairs().size());
          for (KvPair p : scan.pairs()) {
            try {
              out.add(DecisionPb.parseFrom(p.value()));
            } catch (InvalidProtocolBufferException e) {
              throw new IllegalStateException("decision record " + Keyspace.show(p.key())
                  + " in the system range is unreadable", e);
            }
          }
          return out;
        });
  }

  private CompletableFuture<Void> put(byte[] key, byte[] value) {
    return write(key, CommandPb.newBuilder().addPuts(PutPb.newBuilder()
        .setKey(ByteString.copyFrom(key)).setValue(ByteString.copyFrom(value))).build());
  }

  private CompletableFuture<Void> write(byte[] routingKey, CommandPb cmd) {
    return runtime.propose(Keyspace.SYSTEM_RANGE_ID, routingKey.clone(), cmd)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(r -> {
          if (r.error() != null) {
            throw r.error();
          }
          return null;
        });
  }
}
