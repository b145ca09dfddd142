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
 */
public record RangeDescriptor(long rangeId, byte[] startKey, byte[] endKey, long generation,
    ConfState members, long membersIndex) {

  /** A descriptor with the members the range was created with. */
  public RangeDescriptor(long rangeId, byte[] startKey, byte[] endKey, long generation,
      ConfState members) {
    this(rangeId, startKey, endKey, generation, members, 0);
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
        .build();
  }

  public static RangeDescriptor fromProto(RangeDescriptorPb pb) {
    return new RangeDescriptor(pb.getRangeId(), pb.getStartKey().toByteArray(),
        pb.getEndKey().toByteArray(), pb.getGeneration(),
        ConfState.decode(pb.getMembers().toByteArray()), pb.getMembersIndex());
  }

  /** The same descriptor with other members, keeping the index they are known from. */
  public RangeDescriptor withMembers(ConfState newMembers) {
    return new RangeDescriptor(rangeId, startKey, endKey, generation, newMembers, membersIndex);
  }

  /** The members set by the conf change at log index {@code atIndex}. */
  public RangeDescriptor withMembers(ConfState newMembers, long atIndex) {
    return new RangeDescriptor(rangeId, startKey, endKey, generation, newMembers, atIndex);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RangeDescriptor d && d.rangeId == rangeId
        && Arrays.equals(d.startKey, startKey) && Arrays.equals(d.endKey, endKey)
        && d.generation == generation && d.members.equals(members)
        && d.membersIndex == membersIndex;
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
