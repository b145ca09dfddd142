package io.flotilla.placement.driver;

import com.google.protobuf.ByteString;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.operator.AddReplica;
import io.flotilla.placement.operator.MergeRanges;
import io.flotilla.placement.operator.MoveReplica;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.operator.Planned;
import io.flotilla.placement.operator.RemoveReplica;
import io.flotilla.placement.operator.SplitRange;
import io.flotilla.placement.operator.TransferLeader;
import io.flotilla.placement.proto.AddReplicaSpecPb;
import io.flotilla.placement.proto.DecisionPb;
import io.flotilla.placement.proto.MergeRangesSpecPb;
import io.flotilla.placement.proto.MoveReplicaSpecPb;
import io.flotilla.placement.proto.OperatorSpecPb;
import io.flotilla.placement.proto.RemoveReplicaSpecPb;
import io.flotilla.placement.proto.SplitRangeSpecPb;
import io.flotilla.placement.proto.TransferLeaderSpecPb;

/**
 * An operator as its decision records it ({@link OperatorSpecPb}), and back: the operator
 * package stays free of the records' format, and a driver that takes over rebuilds from these
 * exactly the operator its predecessor planned.
 */
final class OperatorSpecs {
  private OperatorSpecs() {
  }

  static OperatorSpecPb of(Operator op) {
    OperatorSpecPb.Builder b = OperatorSpecPb.newBuilder().setGeneration(op.generation());
    switch (op) {
      case MoveReplica m -> b.setMoveReplica(MoveReplicaSpecPb.newBuilder()
          .setFromStore(m.from()).setToStore(m.to()).setDemotesVoter(m.demotes())
          .setRangeBytes(m.rangeBytes()));
      case AddReplica a -> b.setAddReplica(AddReplicaSpecPb.newBuilder().setStore(a.store())
          .setRangeBytes(a.rangeBytes()));
      case RemoveReplica r -> b.setRemoveReplica(RemoveReplicaSpecPb.newBuilder()
          .setStore(r.store()).setRemovesVoter(r.removesVoter()));
      case TransferLeader t -> b.setTransferLeader(TransferLeaderSpecPb.newBuilder()
          .setFromStore(t.from()).setToStore(t.to()));
      case SplitRange s -> {
        SplitRangeSpecPb.Builder split = SplitRangeSpecPb.newBuilder()
            .setLeaderStore(s.leader()).setStickyUntilMillis(s.stickyUntilMillis());
        if (s.key() == null) {
          split.setBySize(true);
        } else {
          split.setKey(ByteString.copyFrom(s.key()));
        }
        b.setSplitRange(split);
      }
      case MergeRanges m -> b.setMergeRanges(MergeRangesSpecPb.newBuilder()
          .setRightRangeId(m.rightRangeId()).setRightGeneration(m.rightGeneration())
          .setRightEndKey(ByteString.copyFrom(m.rightEndKey())).addAllVoters(m.stores()));
    }
    return b.build();
  }

  /**
   * The operator {@code d} started, as planned, not yet observed.
   *
   * @throws IllegalArgumentException saying why {@code d} does not describe one
   */
  static Operator rebuild(DecisionPb d, PlacementSettings settings) {
    if (!d.hasSpec()) {
      throw new IllegalArgumentException("its record does not describe the operator (written"
          + " by an older driver)");
    }
    OperatorSpecPb spec = d.getSpec();
    Planned planned = new Planned(d.getRangeId(), spec.getGeneration(), d.getReason(),
        d.getCreatedMillis());
    return switch (spec.getKindCase()) {
      case MOVE_REPLICA -> {
        MoveReplicaSpecPb m = spec.getMoveReplica();
        yield new MoveReplica(planned, m.getFromStore(), m.getToStore(), m.getDemotesVoter(),
            m.getRangeBytes(), settings);
      }
      case ADD_REPLICA -> new AddReplica(planned, spec.getAddReplica().getStore(),
          spec.getAddReplica().getRangeBytes(), settings);
      case REMOVE_REPLICA -> new RemoveReplica(planned, spec.getRemoveReplica().getStore(),
          spec.getRemoveReplica().getRemovesVoter(), settings);
      case TRANSFER_LEADER -> new TransferLeader(planned,
          spec.getTransferLeader().getFromStore(), spec.getTransferLeader().getToStore(),
          settings);
      case SPLIT_RANGE -> {
        SplitRangeSpecPb s = spec.getSplitRange();
        byte[] key = switch (s.getAtCase()) {
          case KEY -> s.getKey().toByteArray();
          case BY_SIZE -> null;
          case AT_NOT_SET -> throw new IllegalArgumentException("its split names no key");
        };
        yield new SplitRange(planned, key, s.getLeaderStore(), s.getStickyUntilMillis(),
            settings);
      }
      case MERGE_RANGES -> {
        MergeRangesSpecPb m = spec.getMergeRanges();
        yield new MergeRanges(planned, m.getRightRangeId(), m.getRightGeneration(),
            m.getRightEndKey().toByteArray(), m.getVotersList(), settings);
      }
      case KIND_NOT_SET -> throw new IllegalArgumentException("its record describes an"
          + " operator of a kind this driver does not know");
    };
  }
}
