package io.flotilla.kv.mvcc;

import io.flotilla.kv.Cf;
import io.flotilla.kv.SpanSize;
import io.flotilla.kv.Store;
import io.flotilla.kv.snapshot.KeySpan;
import java.math.BigInteger;
import java.util.Arrays;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;

/**
 * Finds the user key that divides a span's stored bytes in half, for splitting a range by size.
 * It bisects the key space between the span's first and last WRITE records with RocksDB's
 * approximate sizes ({@link SpanSize}: file metadata and memtable estimates, no data read), then
 * seeks the WRITE family once to land on a real user key at that point, so that all versions of
 * a key stay on one side. It reads a handful of keys, never the span's contents; its precision is
 * RocksDB's estimate's (a data block, a memtable's sampled average).
 */
public final class SplitKeyFinder {
  /** Bisection steps at most: each halves the interval, so 64 steps reach 8 bytes past it. */
  static final int MAX_STEPS = 64;

  private SplitKeyFinder() {}

  /** Why a span cannot be split: it holds fewer than two user keys. */
  public static final class TooFewKeys extends RuntimeException {
    TooFewKeys(String message) {
      super(message);
    }
  }

  /**
   * The escaped user key ({@link MvccKeys#encodeUserKey}) at which {@code span} divides its
   * bytes about in half: the first key of the right half. It is a key with a committed version
   * in the WRITE family, after the span's first such key (so neither half is empty).
   *
   * @param span a span of escaped user keys (a range's span, as its MVCC families hold it)
   * @throws TooFewKeys if the span holds fewer than two user keys with committed versions
   */
  public static byte[] middle(Store store, KeySpan span) {
    try (ReadOptions ro = new ReadOptions().setTotalOrderSeek(true);
        RocksIterator it = store.newIterator(Cf.WRITE, ro)) {
      byte[] first = userKeyAtOrAfter(it, span, span.start());
      byte[] second = first == null ? null
          : userKeyAtOrAfter(it, span, MvccKeys.afterAllVersions(first));
      if (second == null) {
        throw new TooFewKeys("span " + span + " holds " + (first == null ? "no" : "one")
            + " user key; a split needs two");
      }
      byte[] last = lastUserKey(it, span);
      // The point p with about half the bytes of [start, p): bisect between the first and the
      // last key's versions.
      long half = SpanSize.estimate(store, span).bytes() / 2;
      byte[] lo = first;
      byte[] hi = MvccKeys.afterAllVersions(last);
      for (int step = 0; step < MAX_STEPS; step++) {
        byte[] mid = midpoint(lo, hi);
        if (Arrays.compareUnsigned(mid, lo) <= 0 || Arrays.compareUnsigned(mid, hi) >= 0) {
          break;
        }
        if (SpanSize.estimate(store, new KeySpan(span.start(), mid)).bytes() < half) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      byte[] found = userKeyAtOrAfter(it, span, hi);
      if (found == null || Arrays.compareUnsigned(found, second) < 0) {
        // Past the last key (estimates are coarse) or on the first: the nearest usable key.
        return found == null ? last : second;
      }
      return found;
    }
  }

  /** The escaped user key of the first WRITE record at or after {@code from} in the span. */
  private static byte[] userKeyAtOrAfter(RocksIterator it, KeySpan span, byte[] from) {
    it.seek(from);
    if (!it.isValid()) {
      checkStatus(it);
      return null;
    }
    byte[] key = it.key();
    return span.contains(key) ? MvccKeys.userPart(key) : null;
  }

  /** The escaped user key of the span's last WRITE record (the span holds one). */
  private static byte[] lastUserKey(RocksIterator it, KeySpan span) {
    byte[] end = span.end();
    if (end == null) {
      it.seekToLast();
    } else {
      it.seekForPrev(end);
      if (it.isValid() && Arrays.equals(it.key(), end)) {
        it.prev();
      }
    }
    if (!it.isValid()) {
      checkStatus(it);
      throw new IllegalStateException("span " + span + " lost its keys while being read");
    }
    return MvccKeys.userPart(it.key());
  }

  private static void checkStatus(RocksIterator it) {
    try {
      it.status();
    } catch (org.rocksdb.RocksDBException e) {
      throw new IllegalStateException("cannot read the WRITE family: " + e.getMessage(), e);
    }
  }

  /**
   * A key between {@code a} and {@code b} in unsigned byte order, reading both as fractions
   * (zero-padded to one byte more than the longer); {@code a} itself when they are adjacent.
   */
  static byte[] midpoint(byte[] a, byte[] b) {
    int n = Math.max(a.length, b.length) + 1;
    BigInteger sum = new BigInteger(1, Arrays.copyOf(a, n)).add(
        new BigInteger(1, Arrays.copyOf(b, n)));
    byte[] raw = sum.shiftRight(1).toByteArray();
    byte[] mid = new byte[n];
    int copy = Math.min(raw.length, n);
    System.arraycopy(raw, raw.length - copy, mid, n - copy, copy);
    int len = n;
    while (len > 1 && mid[len - 1] == 0 && len > a.length) {
      len--; // trailing zeros past a's length add nothing to the order
    }
    return Arrays.copyOf(mid, len);
  }
}
