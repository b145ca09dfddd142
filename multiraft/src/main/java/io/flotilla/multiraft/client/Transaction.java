package io.flotilla.multiraft.client;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.KeyValue;
import io.flotilla.multiraft.proto.MutationPb;
import io.flotilla.multiraft.proto.TxnScanResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One transaction under snapshot isolation: it reads the versions committed before its start
 * timestamp (plus its own writes), buffers its writes, and commits them all or none ({@link
 * TxnCommitter}). A transaction that only read takes no locks and commits at once. Not
 * thread-safe: one thread uses it, then commits or rolls it back.
 */
public final class Transaction {
  private enum State { OPEN, COMMITTED, ROLLED_BACK }

  private final TxnRpc rpc;
  private final ScheduledExecutorService background;
  private final long startTs;
  private final NavigableMap<byte[], MutationPb> writes = new TreeMap<>(Arrays::compareUnsigned);
  private State state = State.OPEN;
  private long commitTs;

  Transaction(TxnRpc rpc, ScheduledExecutorService background, long startTs) {
    this.rpc = rpc;
    this.background = background;
    this.startTs = startTs;
  }

  public long startTs() {
    return startTs;
  }

  /** The commit timestamp, once committed with writes (0 for a read-only transaction). */
  public long commitTs() {
    return commitTs;
  }

  /** The value of {@code key} as of the start (or as this transaction wrote it), or null. */
  public byte[] get(byte[] key) {
    open();
    byte[] k = internal(key);
    MutationPb own = writes.get(k);
    if (own != null) {
      return own.getOp() == MutationPb.Op.PUT ? own.getValue().toByteArray() : null;
    }
    return rpc.get(k, startTs);
  }

  /**
   * Up to {@code limit} pairs with keys in [{@code start}, {@code end}), in key order, as of the
   * start and with this transaction's own writes.
   *
   * @param end exclusive; null or empty: to the end of the keyspace
   */
  public List<KvEntry> scan(byte[] start, byte[] end, int limit) {
    open();
    if (limit < 1) {
      throw new IllegalArgumentException("scan limit must be at least 1, not " + limit);
    }
    byte[] from = internal(start);
    byte[] stop = end == null || end.length == 0 ? Keyspace.userEnd() : internal(end);
    NavigableMap<byte[], MutationPb> own = writes.subMap(from, true, stop, false);
    long deletes = own.values().stream().filter(m -> m.getOp() != MutationPb.Op.PUT).count();
    // Each own delete may hide one stored pair: ask for that many more.
    NavigableMap<byte[], byte[]> merged = new TreeMap<>(Arrays::compareUnsigned);
    stored(from, stop, (int) Math.min(Integer.MAX_VALUE, limit + deletes))
        .forEach(kv -> merged.put(kv.getKey().toByteArray(), kv.getValue().toByteArray()));
    own.forEach((k, m) -> {
      if (m.getOp() == MutationPb.Op.PUT) {
        merged.put(k, m.getValue().toByteArray());
      } else {
        merged.remove(k);
      }
    });
    List<KvEntry> out = new ArrayList<>(Math.min(limit, merged.size()));
    for (var e : merged.entrySet()) {
      if (out.size() == limit) {
        break;
      }
      out.add(new KvEntry(Keyspace.toUser(e.getKey()), e.getValue()));
    }
    return out;
  }

  /** The committed pairs in [from, stop) as of the start, at most {@code limit}. */
  private List<KeyValue> stored(byte[] from, byte[] stop, int limit) {
    List<KeyValue> out = new ArrayList<>();
    byte[] cursor = from;
    while (out.size() < limit && Arrays.compareUnsigned(cursor, stop) < 0) {
      int page = Math.min(limit - out.size(), KvClient.SCAN_PAGE);
      TxnScanResponse r = rpc.scanPage(cursor, stop, page, startTs);
      byte[] lastSeen = null;
      for (KeyValue kv : r.getPairsList()) {
        lastSeen = kv.getKey().toByteArray();
        if (out.size() < limit && Arrays.compareUnsigned(lastSeen, stop) < 0
            && (out.isEmpty() || Arrays.compareUnsigned(lastSeen,
                out.get(out.size() - 1).getKey().toByteArray()) > 0)) {
          out.add(kv);
        }
      }
      if (r.getLimitReached() && lastSeen != null) {
        cursor = Arrays.copyOf(lastSeen, lastSeen.length + 1);
      } else {
        byte[] rangeEnd = r.getRangeEnd().toByteArray();
        if (rangeEnd.length == 0) {
          break;
        }
        cursor = rangeEnd;
      }
    }
    return out;
  }

  public void put(byte[] key, byte[] value) {
    open();
    writes.put(internal(key), MutationPb.newBuilder().setOp(MutationPb.Op.PUT)
        .setKey(ByteString.copyFrom(internal(key)))
        .setValue(ByteString.copyFrom(Objects.requireNonNull(value, "value"))).build());
  }

  public void delete(byte[] key) {
    open();
    writes.put(internal(key), MutationPb.newBuilder().setOp(MutationPb.Op.DELETE)
        .setKey(ByteString.copyFrom(internal(key))).build());
  }

  /**
   * Commits every write, atomically. Throws {@link TxnException}: nothing was written unless
   * its kind is {@link TxnException.Kind#AMBIGUOUS}.
   */
  public void commit() {
    open();
    try {
      if (!writes.isEmpty()) {
        commitTs = new TxnCommitter(rpc, background, startTs, writes).commit();
      }
      state = State.COMMITTED;
    } catch (TxnException e) {
      state = State.ROLLED_BACK;
      throw e;
    }
  }

  /** Discards the writes; nothing was sent before commit, so nothing is left behind. */
  public void rollback() {
    if (state == State.OPEN) {
      writes.clear();
      state = State.ROLLED_BACK;
    }
  }

  private void open() {
    if (state != State.OPEN) {
      throw new TxnException(TxnException.Kind.FINISHED, "transaction " + startTs + " is "
          + state.name().toLowerCase().replace('_', ' '), null);
    }
  }

  private static byte[] internal(byte[] userKey) {
    return Keyspace.toInternal(Objects.requireNonNull(userKey, "key"));
  }
}
