package io.flotilla.placement.scheduler;

import io.flotilla.placement.operator.Operator;
import java.util.List;

/**
 * What one scheduling pass decided: new operators in priority order, how far each
 * decommissioning store is, and how many ranges are under-replicated (while any are, no
 * balancing operator is proposed).
 */
public record Plan(List<Operator> operators, List<DecommissionProgress> decommissions,
    int underReplicatedRanges) {
  public Plan {
    operators = List.copyOf(operators);
    decommissions = List.copyOf(decommissions);
  }
}
