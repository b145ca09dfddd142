package io.flotilla.multiraft.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The client's view of where ranges are, keyed by start key. Caffeine bounds it (least recently
 * used ranges go first); a sorted index of start keys beside it finds the range holding a key
 * (the floor of the key). The two are not updated atomically together and need not be: the
 * cache is a hint that servers correct, so a lost index entry only costs a lookup and an
 * index entry without a cache entry is dropped when met.
 *
 * <p>Overlapping descriptors: the newer generation wins. A split gives both halves a generation
 * above their parent's, so a stale descriptor from a lagging node never evicts what a split
 * taught us.
 */
final class RangeCache {
  private final Cache<ByteBuffer, CachedRange> byStart;
  private final ConcurrentSkipListMap<byte[], Boolean> starts =
      new ConcurrentSkipListMap<>(Arrays::compareUnsigned);

  RangeCache(long maxRanges) {
    this.byStart = Caffeine.newBuilder().maximumSize(maxRanges)
        .evictionListener((ByteBuffer k, CachedRange v, com.github.benmanes.caffeine.cache
            .RemovalCause cause) -> starts.remove(k.array()))
        .build();
  }

  /** The cached range holding {@code key}, or null. */
  CachedRange find(byte[] key) {
    Map.Entry<byte[], Boolean> floor = starts.floorEntry(key);
    if (floor == null) {
      return null;
    }
    CachedRange r = byStart.getIfPresent(ByteBuffer.wrap(floor.getKey()));
    if (r == null) {
      starts.remove(floor.getKey());
      return null;
    }
    return r.descriptor().contains(key) ? r : null;
  }

  /**
   * Learns a descriptor and its leader (0: unknown), replacing what it overlaps unless
   * something it overlaps is newer. Returns whether it stored {@code d}.
   */
  synchronized boolean put(RangeDescriptor d, long leader) {
    byte[] from = starts.floorKey(d.startKey());
    Map<byte[], Boolean> candidates = from == null ? starts : starts.tailMap(from, true);
    java.util.List<CachedRange> overlapped = new java.util.ArrayList<>();
    for (byte[] start : candidates.keySet()) {
      if (d.endKey().length != 0 && Arrays.compareUnsigned(start, d.endKey()) >= 0) {
        break;
      }
      CachedRange c = byStart.getIfPresent(ByteBuffer.wrap(start));
      if (c != null && overlaps(c.descriptor(), d)) {
        if (c.descriptor().generation() > d.generation()) {
          return false;
        }
        overlapped.add(c);
      }
    }
    for (CachedRange c : overlapped) {
      remove(c.descriptor());
    }
    byte[] start = d.startKey().clone();
    starts.put(start, Boolean.TRUE);
    byStart.put(ByteBuffer.wrap(start), new CachedRange(d, leader));
    return true;
  }

  /** Records the leader of a cached range, if that range is still cached as it was. */
  synchronized void setLeader(CachedRange r, long leader) {
    ByteBuffer k = ByteBuffer.wrap(r.descriptor().startKey());
    CachedRange now = byStart.getIfPresent(k);
    if (now != null && now.descriptor().equals(r.descriptor()) && now.leader() != leader) {
      byStart.put(k, now.withLeader(leader));
    }
  }

  /** Forgets a range, e.g. after its node said it does not hold it. */
  synchronized void invalidate(RangeDescriptor d) {
    CachedRange now = byStart.getIfPresent(ByteBuffer.wrap(d.startKey()));
    if (now != null && now.rangeId() == d.rangeId()) {
      remove(now.descriptor());
    }
  }

  long size() {
    byStart.cleanUp();
    return byStart.estimatedSize();
  }

  private void remove(RangeDescriptor d) {
    byStart.invalidate(ByteBuffer.wrap(d.startKey()));
    starts.remove(d.startKey());
  }

  private static boolean overlaps(RangeDescriptor a, RangeDescriptor b) {
    return before(a.startKey(), b.endKey()) && before(b.startKey(), a.endKey());
  }

  /** Whether a start key lies below an (exclusive, empty = unbounded) end key. */
  private static boolean before(byte[] start, byte[] end) {
    return end.length == 0 || Arrays.compareUnsigned(start, end) < 0;
  }
}
