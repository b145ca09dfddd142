package io.flotilla.multiraft.kv;

import io.flotilla.multiraft.proto.RangeInfoPb;
import io.flotilla.multiraft.proto.RangeLookupResponse;
import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.multiraft.runtime.RangeInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds RangeLookup answers: from meta records, or from what the node's runtime published. */
final class RangeLookups {
  private RangeLookups() {}

  /**
   * The meta records found from the key on (already in key order and starting at the range that
   * holds the key), each with its leader: this node's own view where it holds a replica that
   * knows one (fresher than the hint in the record), else the record's.
   */
  static RangeLookupResponse fromMeta(List<RangeMetaPb> records, List<RangeInfo> local) {
    Map<Long, Long> knownLeaders = new HashMap<>();
    for (RangeInfo ri : local) {
      if (ri.leader() != 0) {
        knownLeaders.put(ri.descriptor().rangeId(), ri.leader());
      }
    }
    RangeLookupResponse.Builder b = RangeLookupResponse.newBuilder();
    for (RangeMetaPb r : records) {
      b.addRanges(RangeInfoPb.newBuilder().setRange(r.getRange()).setLeader(
          knownLeaders.getOrDefault(r.getRange().getRangeId(), r.getLeader())));
    }
    return b.build();
  }

  /**
   * The ranges this node holds in key order from the one that holds {@code key} (or the first
   * after it, if this node holds none that does) on, at most {@code max}: a client looking up
   * one key also learns where a scan from there continues.
   */
  static RangeLookupResponse fromLocal(List<RangeInfo> ranges, byte[] key, int max) {
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
