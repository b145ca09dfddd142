package io.flotilla.placement.driver;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.proto.RangeDescriptorPb;
import io.flotilla.placement.model.RangeStats;

/** Proto forms of the model, for the admin API. */
final class Reports {
  private Reports() {}

  /** The span, generation and stickiness of a range (members are in the report's lists). */
  static RangeDescriptorPb descriptor(RangeStats r) {
    return RangeDescriptorPb.newBuilder().setRangeId(r.rangeId())
        .setStartKey(ByteString.copyFrom(r.startKey()))
        .setEndKey(ByteString.copyFrom(r.endKey())).setGeneration(r.generation())
        .setStickyUntilMillis(r.stickyUntilMillis()).build();
  }
}
