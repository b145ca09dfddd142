package io.flotilla.multiraft.runtime;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.proto.RangeDescriptorPb;
import io.flotilla.raft.ConfState;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A range: a span of keys [startKey, endKey) with its own Raft group. {@code generation} grows
 * with every split and merge, so a client can tell a stale descriptor from a current one;
 * {@code membersIndex} grows with every membership change, so the meta records can tell which
 * of two descriptors of one range is newer.
 *
 * @param rangeId the range (and its Raft group) id
 * @param startKey inclusive start
 * @param endKey exclusive end; empty means the end of the keyspace
 * @param generation bumped on every split and merge (a merged range gets max(left, right) + 1)
 * @param members voters and learners; a replica's id is its node's id
 * @param membersIndex the index of the range's log entry that last changed {@code members}, 0
 *     for the members the range was created with
 * @param stickyUntilMillis until when (wall-clock milliseconds) the split that made this range
 *     stays: the placement driver does not merge it into its left neighbour before then. 0: a
 *     split by size, free to merge; {@link #STICKY_FOREVER}: a split a person asked for. A
 *     property of the range's start key, so a range keeps it through its own splits.
 */
public record RangeDescriptor(long rangeId, byte[] startKey, byte[] endKey, long generation,
    ConfState members, long membersIndex, long stickyUntilMillis) {

  /** A split that is never merged away by the placement driver. */
  public static final long STICKY_FOREVER = Long.MAX_VALUE;

  /** A descriptor with the members the range was created with. */
  public RangeDescriptor(long rangeId, byte[] startKey, byte[] endKey, long generation,
      ConfState members) {
    this(rangeId, startKey, endKey, generation, members, 0, 0);
  }

  public RangeDescriptor(long rangeId, byte[] startKey, byte[] endKey, long generation,
      ConfState members, long membersIndex) {
    this(rangeId, startKey, endKey, generation, members, membersIndex, 0);
  }

  /** Whether the split that made this range still stays at {@code nowMillis}. */
  public boolean sticky(long nowMillis) {
    return stickyUntilMillis > nowMillis;
  }

  /** This range's span narrowed or widened to end at {@code newEnd}, at {@code newGeneration}. */
  public RangeDescriptor withEnd(byte[] newEnd, long newGeneration) {
    return new RangeDescriptor(rangeId, startKey, newEnd, newGeneration, members, membersIndex,
        stickyUntilMillis);
  }

  public boolean contains(byte[] key) {
    return Arrays.compareUnsigned(key, startKey) >= 0
        && (endKey.length == 0 || Arrays.compareUnsigned(key, endKey) < 0);
  }

  /** Whether [start, end) lies inside this range; an empty end means unbounded. */
  public boolean containsSpan(byte[] start, byte[] end) {
    if (!contains(start)) {
      return false;
    }
    if (endKey.length == 0) {
      return true;
    }
    return end.length != 0 && Arrays.compareUnsigned(end, endKey) <= 0;
  }

  public RangeDescriptorPb toProto() {
    return RangeDescriptorPb.newBuilder()
        .setRangeId(rangeId)
        .setStartKey(ByteString.copyFrom(startKey))
        .setEndKey(ByteString.copyFrom(endKey))
        .setGeneration(generation)
        .setMembers(ByteString.copyFrom(members.encode()))
        .setMembersIndex(membersIndex)
        .setStickyUntilMillis(stickyUntilMillis)
        .build();
  }

  public static RangeDescriptor fromProto(RangeDescriptorPb pb) {
    return new RangeDescriptor(pb.getRangeId(), pb.getStartKey().toByteArray(),
        pb.getEndKey().toByteArray(), pb.getGeneration(),
        ConfState.decode(pb.getMembers().toByteArray()), pb.getMembersIndex(),
        pb.getStickyUntilMillis());
  }

  /** The same descriptor with other members, keeping the index they are known from. */
  public RangeDescriptor withMembers(ConfState newMembers) {
    return new RangeDescriptor(rangeId, startKey, endKey, generation, newMembers, membersIndex,
        stickyUntilMillis);
  }

  /** The members set by the conf change at log index {@code atIndex}. */
  public RangeDescriptor withMembers(ConfState newMembers, long atIndex) {
    return new RangeDescriptor(rangeId, startKey, endKey, generation, newMembers, atIndex,
        stickyUntilMillis);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RangeDescriptor d && d.rangeId == rangeId
        && Arrays.equals(d.startKey, startKey) && Arrays.equals(d.endKey, endKey)
        && d.generation == generation && d.members.equals(members)
        && d.membersIndex == membersIndex && d.stickyUntilMillis == stickyUntilMillis;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(rangeId) * 31 + Long.hashCode(generation);
  }

  @Override
  public String toString() {
    HexFormat hex = HexFormat.of();
    return "r" + rangeId + "[" + hex.formatHex(startKey) + ", "
        + (endKey.length == 0 ? "max" : hex.formatHex(endKey)) + ") gen " + generation
        + " voters " + members.voters();
  }
}
