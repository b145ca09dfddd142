package io.flotilla.multiraft.kv;

import io.flotilla.multiraft.proto.RangeInfoPb;
import io.flotilla.multiraft.proto.RangeLookupResponse;
import io.flotilla.multiraft.runtime.RangeInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Answers a RangeLookup from what the node's runtime last published. */
final class RangeLookups {
  private RangeLookups() {}

  /**
   * The ranges in key order from the one that holds {@code key} (or the first after it, if this
   * node holds none that does) on, at most {@code max}: a client looking up one key also learns
   * where a scan from there continues.
   */
  static RangeLookupResponse answer(List<RangeInfo> ranges, byte[] key, int max) {
    List<RangeInfo> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparing(ri -> ri.descriptor().startKey(), Arrays::compareUnsigned));
    RangeLookupResponse.Builder b = RangeLookupResponse.newBuilder();
    for (RangeInfo ri : sorted) {
      byte[] end = ri.descriptor().endKey();
      boolean endsAfterKey = end.length == 0 || Arrays.compareUnsigned(end, key) > 0;
      if (endsAfterKey && b.getRangesCount() < max) {
        b.addRanges(RangeInfoPb.newBuilder().setRange(ri.descriptor().toProto())
            .setLeader(ri.leader()));
      }
    }
    return b.build();
  }
}
