package io.flotilla.multiraft.runtime;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.proto.RangeDescriptorPb;
import io.flotilla.raft.ConfState;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A range: a span of keys [startKey, endKey) with its own Raft group. {@code generation} grows
 * with every split, so a client can tell a stale descriptor from a current one.
 *
 * @param rangeId the range (and its Raft group) id
 * @param startKey inclusive start
 * @param endKey exclusive end; empty means the end of the keyspace
 * @param generation bumped on every split
 * @param members voters and learners; a replica's id is its node's id
 */
public record RangeDescriptor(long rangeId, byte[] startKey, byte[] endKey, long generation,
    ConfState members) {

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
        .build();
  }

  public static RangeDescriptor fromProto(RangeDescriptorPb pb) {
    return new RangeDescriptor(pb.getRangeId(), pb.getStartKey().toByteArray(),
        pb.getEndKey().toByteArray(), pb.getGeneration(),
        ConfState.decode(pb.getMembers().toByteArray()));
  }

  public RangeDescriptor withMembers(ConfState newMembers) {
    return new RangeDescriptor(rangeId, startKey, endKey, generation, newMembers);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RangeDescriptor d && d.rangeId == rangeId
        && Arrays.equals(d.startKey, startKey) && Arrays.equals(d.endKey, endKey)
        && d.generation == generation && d.members.equals(members);
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
