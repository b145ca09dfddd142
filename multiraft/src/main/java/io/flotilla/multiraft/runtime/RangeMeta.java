package io.flotilla.multiraft.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.multiraft.proto.RangeMetaPb;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * The meta records: one per range, in the system keyspace, indexed by the range's <b>end</b>
 * key so that the range holding key {@code k} is the first record after {@code k}:
 *
 * <ul>
 *   <li>a range ending at {@code e}: {@code 0x00 "meta/" 0x00 e};
 *   <li>the range reaching the end of the keyspace: {@code 0x00 "meta/" 0x01}, after every
 *       other record;
 * </ul>
 * the value is a {@link RangeMetaPb}: the descriptor and the leader that wrote it.
 *
 * <p>Records are only ever replaced by newer ones ({@link #supersedes}): ordered by generation,
 * then members index, then the writing leader's term. Per end key this is a total order over
 * time: a split gives both halves a generation above their parent's, so the range that takes
 * over an end key from its parent always outranks it; within one range, the generation and the
 * members index only grow (both are set by entries of its log) and so do leaders' terms.
 */
public final class RangeMeta {
  /** The first key of the meta records (the system prefix 0x00, then "meta/"). */
  public static final byte[] PREFIX = system("meta/");
  /** The end of the meta records' span: '0' follows '/'. */
  public static final byte[] PREFIX_END = system("meta0");
  private static final byte BOUNDED = 0x00;
  private static final byte UNBOUNDED = 0x01;

  /** Newer records compare greater. */
  private static final Comparator<RangeMetaPb> AGE = Comparator
      .<RangeMetaPb>comparingLong(r -> r.getRange().getGeneration())
      .thenComparingLong(r -> r.getRange().getMembersIndex())
      .thenComparingLong(RangeMetaPb::getLeaderTerm);

  private RangeMeta() {}

  private static byte[] system(String name) {
    byte[] s = name.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[s.length + 1];
    System.arraycopy(s, 0, out, 1, s.length);
    return out;
  }

  /** The key of the record of a range that ends at {@code endKey} (empty: unbounded). */
  public static byte[] key(byte[] endKey) {
    if (endKey.length == 0) {
      return concat(PREFIX, new byte[] {UNBOUNDED});
    }
    return concat(PREFIX, new byte[] {BOUNDED}, endKey);
  }

  /**
   * Where a scan for the range holding {@code key} starts: the key of a range ending just after
   * {@code key} ({@code key || 0x00} is the smallest key above it), so the first record at or
   * after it is of the first range whose end is above {@code key}.
   */
  public static byte[] lookupStart(byte[] key) {
    return concat(PREFIX, new byte[] {BOUNDED}, key, new byte[] {0});
  }

  /** The record of {@code d} written by its leader {@code leader} in term {@code term}. */
  public static RangeMetaPb record(RangeDescriptor d, long leader, long term) {
    return RangeMetaPb.newBuilder().setRange(d.toProto()).setLeader(leader).setLeaderTerm(term)
        .build();
  }

  /** The record stored at {@code key}; refuses bytes that are not one, naming the key. */
  public static RangeMetaPb decode(byte[] key, byte[] value) {
    try {
      RangeMetaPb r = RangeMetaPb.parseFrom(value);
      if (!r.hasRange()) {
        throw new IllegalStateException("meta record at " + hex(key) + " has no descriptor");
      }
      return r;
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt meta record at " + hex(key) + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Where the records of ranges ending strictly inside {@code r}'s span begin (they end at
   * {@link #key} of {@code r}'s end): after a merge, the record of the left range's old end is
   * one of them, and older than {@code r}.
   */
  public static byte[] interiorStart(RangeMetaPb r) {
    return lookupStart(r.getRange().getStartKey().toByteArray());
  }

  /**
   * Whether {@code next}, the record stored just after {@code incoming}'s key, shows {@code
   * incoming} to be out of date: {@code next}'s range holds {@code incoming}'s end key inside
   * its span and is of a later generation (a merge took that end away: the generation of the
   * range holding a key only grows).
   */
  public static boolean overtaken(RangeMetaPb incoming, RangeMetaPb next) {
    byte[] end = incoming.getRange().getEndKey().toByteArray();
    return next != null && end.length != 0
        && java.util.Arrays.compareUnsigned(next.getRange().getStartKey().toByteArray(), end) < 0
        && next.getRange().getGeneration() > incoming.getRange().getGeneration();
  }

  /** Whether {@code incoming} may replace {@code stored} (null: there is none). */
  public static boolean supersedes(RangeMetaPb incoming, RangeMetaPb stored) {
    return stored == null || AGE.compare(incoming, stored) > 0;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static String hex(byte[] key) {
    return java.util.HexFormat.of().formatHex(key);
  }
}
