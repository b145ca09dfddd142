package io.flotilla.multiraft.client;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.BatchWriteRequest;
import io.flotilla.multiraft.proto.CompareAndSetRequest;
import io.flotilla.multiraft.proto.CompareAndSetResponse;
import io.flotilla.multiraft.proto.DeleteRequest;
import io.flotilla.multiraft.proto.GetRequest;
import io.flotilla.multiraft.proto.GetResponse;
import io.flotilla.multiraft.proto.KeyValue;
import io.flotilla.multiraft.proto.KvRequest;
import io.flotilla.multiraft.proto.PutRequest;
import io.flotilla.multiraft.proto.ScanRequest;
import io.flotilla.multiraft.proto.ScanResponse;
import io.flotilla.multiraft.proto.WriteResponse;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A client of a Flotilla cluster's KV API. Thread-safe; one per application is enough.
 *
 * <p>Keys are user keys (any bytes); values are any bytes. Single-key operations are
 * linearizable. A scan or batch put that spans ranges is not atomic: each range's part is.
 * Failures: {@link KvException} when the operation certainly did not take effect,
 * {@link AmbiguousResultException} when a write's outcome is unknown (see the package
 * documentation).
 */
public final class KvClient implements AutoCloseable {
  /** Pairs asked for per Scan RPC. */
  static final int SCAN_PAGE = 1000;
  /** Keys per BatchWrite RPC: bounds one proposal's size. */
  static final int BATCH_KEYS = 1000;
  /** Bytes of keys and values per BatchWrite RPC (one entry may exceed it alone). */
  static final int BATCH_BYTES = 2 << 20;

  private final NodeDirectory nodes;
  private final RangeCache cache;
  private final Router router;

  /** Connects to a cluster through any of {@code seeds} ({@code host:port} each). */
  public KvClient(List<String> seeds) {
    this(seeds, KvClientOptions.defaults());
  }

  public KvClient(List<String> seeds, KvClientOptions options) {
    this.nodes = new NodeDirectory(seeds);
    this.cache = new RangeCache(options.maxCachedRanges());
    this.router = new Router(cache, nodes, options);
  }

  /** The value of {@code key}, or null if it has none. */
  public byte[] get(byte[] key) {
    byte[] k = internal(key);
    ByteString internalKey = ByteString.copyFrom(k);
    GetResponse r = router.route("get", k, false,
        (ep, range) -> ep.call(KvRequest.newBuilder().setGet(GetRequest.newBuilder()
            .setRangeId(range.rangeId()).setKey(internalKey))).getGet(),
        GetResponse::getError).response();
    return r.getFound() ? r.getValue().toByteArray() : null;
  }

  public void put(byte[] key, byte[] value) {
    byte[] k = internal(key);
    ByteString v = ByteString.copyFrom(Objects.requireNonNull(value, "value"));
    ByteString internalKey = ByteString.copyFrom(k);
    router.route("put", k, true,
        (ep, range) -> ep.call(KvRequest.newBuilder().setPut(PutRequest.newBuilder()
            .setRangeId(range.rangeId()).setKey(internalKey).setValue(v))).getWrite(),
        WriteResponse::getError);
  }

  public void delete(byte[] key) {
    byte[] k = internal(key);
    ByteString internalKey = ByteString.copyFrom(k);
    router.route("delete", k, true,
        (ep, range) -> ep.call(KvRequest.newBuilder().setDelete(DeleteRequest.newBuilder()
            .setRangeId(range.rangeId()).setKey(internalKey))).getWrite(),
        WriteResponse::getError);
  }

  /**
   * Sets {@code key} to {@code newValue} if it holds {@code expected}, atomically.
   *
   * @param expected the value the key must hold; null: the key must be absent
   * @param newValue the value to write; null: delete the key
   */
  public CasResult compareAndSet(byte[] key, byte[] expected, byte[] newValue) {
    byte[] k = internal(key);
    CompareAndSetRequest.Builder req = CompareAndSetRequest.newBuilder()
        .setKey(ByteString.copyFrom(k)).setExpectAbsent(expected == null)
        .setDelete(newValue == null);
    if (expected != null) {
      req.setExpected(ByteString.copyFrom(expected));
    }
    if (newValue != null) {
      req.setValue(ByteString.copyFrom(newValue));
    }
    CompareAndSetResponse r = router.route("compare-and-set", k, true,
        (ep, range) -> ep.call(KvRequest.newBuilder().setCompareAndSet(
            req.setRangeId(range.rangeId()))).getCompareAndSet(),
        CompareAndSetResponse::getError).response();
    return new CasResult(r.getSucceeded(), r.getFound() ? r.getCurrent().toByteArray() : null);
  }

  /**
   * Up to {@code limit} pairs with keys in [{@code start}, {@code end}) in key order, across
   * ranges: each range is read linearizably, but not all at one instant.
   *
   * @param end exclusive; null or empty: to the end of the keyspace
   */
  public List<KvEntry> scan(byte[] start, byte[] end, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("scan limit must be at least 1, not " + limit);
    }
    byte[] stop = end == null || end.length == 0 ? Keyspace.userEnd() : internal(end);
    byte[] cursor = internal(start);
    List<KvEntry> out = new ArrayList<>();
    byte[] last = null;
    while (out.size() < limit && Arrays.compareUnsigned(cursor, stop) < 0) {
      byte[] from = cursor;
      int page = Math.min(limit - out.size(), SCAN_PAGE);
      ScanResponse r = router.route("scan", from, false,
          (ep, range) -> ep.stub().scan(ScanRequest.newBuilder().setRangeId(range.rangeId())
              .setStartKey(ByteString.copyFrom(from)).setEndKey(ByteString.copyFrom(stop))
              .setLimit(page).build()),
          ScanResponse::getError).response();
      byte[] lastSeen = null;
      for (KeyValue kv : r.getPairsList()) {
        byte[] k = kv.getKey().toByteArray();
        lastSeen = k;
        // Never go back: a pair at or before one already returned is a range's repeat.
        if (last == null || Arrays.compareUnsigned(k, last) > 0) {
          if (out.size() < limit && Arrays.compareUnsigned(k, stop) < 0) {
            out.add(new KvEntry(Keyspace.toUser(k), kv.getValue().toByteArray()));
            last = k;
          }
        }
      }
      cursor = next(r, lastSeen);
      if (cursor == null) {
        break;
      }
    }
    return out;
  }

  /**
   * Where a scan continues after one page: after its last key, or at the end its range had when
   * it served the page (null: the end of the keyspace).
   */
  private static byte[] next(ScanResponse r, byte[] lastSeen) {
    if (r.getLimitReached() && lastSeen != null) {
      return Arrays.copyOf(lastSeen, lastSeen.length + 1);
    }
    byte[] rangeEnd = r.getRangeEnd().toByteArray();
    return rangeEnd.length == 0 ? null : rangeEnd;
  }

  /**
   * Writes every entry, one atomic BatchWrite per range (a later entry for the same key wins).
   * Not atomic across ranges: if it fails part way, the message says how many keys were
   * written before.
   */
  public void batchPut(List<KvEntry> entries) {
    NavigableMap<byte[], byte[]> pending = new TreeMap<>(Arrays::compareUnsigned);
    for (KvEntry e : entries) {
      pending.put(internal(e.key()), Objects.requireNonNull(e.value(), "value"));
    }
    int total = pending.size();
    while (!pending.isEmpty()) {
      Router.Routed<WriteResponse> done;
      try {
        done = router.route("batch put", pending.firstKey(), true,
            (ep, range) -> ep.stub().batchWrite(batch(range.rangeId(),
                group(pending, range.descriptor()))),
            WriteResponse::getError);
      } catch (KvException e) {
        throw pending.size() == total ? e : new KvException(partial(total, pending, e),
            e.code(), e);
      } catch (AmbiguousResultException e) {
        throw pending.size() == total ? e : new AmbiguousResultException(
            partial(total, pending, e), e);
      }
      group(pending, done.range().descriptor()).keySet().forEach(pending::remove);
    }
  }

  private static String partial(int total, Map<byte[], byte[]> pending, RuntimeException e) {
    return "batch put: " + (total - pending.size()) + " of " + total + " keys were written"
        + " before this failure: " + e.getMessage();
  }

  /**
   * The first pending keys that lie in range {@code d}, at most {@link #BATCH_KEYS} of them and
   * {@link #BATCH_BYTES} (but at least one).
   */
  private static Map<byte[], byte[]> group(NavigableMap<byte[], byte[]> pending,
      RangeDescriptor d) {
    NavigableMap<byte[], byte[]> in = d.endKey().length == 0
        ? pending.tailMap(d.startKey(), true) : pending.subMap(d.startKey(), true, d.endKey(),
        false);
    Map<byte[], byte[]> group = new TreeMap<>(Arrays::compareUnsigned);
    long bytes = 0;
    for (Map.Entry<byte[], byte[]> e : in.entrySet()) {
      bytes += e.getKey().length + e.getValue().length;
      if (group.size() == BATCH_KEYS || (bytes > BATCH_BYTES && !group.isEmpty())) {
        break;
      }
      group.put(e.getKey(), e.getValue());
    }
    return group;
  }

  private static BatchWriteRequest batch(long rangeId, Map<byte[], byte[]> group) {
    BatchWriteRequest.Builder b = BatchWriteRequest.newBuilder().setRangeId(rangeId);
    group.forEach((k, v) -> b.addPuts(KeyValue.newBuilder().setKey(ByteString.copyFrom(k))
        .setValue(ByteString.copyFrom(v))));
    return b.build();
  }

  private static byte[] internal(byte[] userKey) {
    return Keyspace.toInternal(Objects.requireNonNull(userKey, "key"));
  }

  /** For the transactions that share this client's connections and range cache. */
  Router router() {
    return router;
  }

  /** The cached range of a user key, or null (for tests). */
  CachedRange cached(byte[] userKey) {
    return cache.find(internal(userKey));
  }

  @Override
  public void close() {
    nodes.close();
  }
}
