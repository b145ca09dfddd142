package io.flotilla.placement.operator;

/**
 * One request an operator makes of the cluster, executed by the driver (an admin RPC to the
 * range's leader) or by the simulated cluster. Each names the range and the generation it was
 * planned against, so the executor refuses a step whose range has since split or merged.
 * Steps are idempotent: asking again for a state already reached changes nothing.
 */
public sealed interface Step
    permits AddLearner, Promote, RemoveVoter, TransferLeaderStep, SplitAt, MergeStep {
  long rangeId();

  long generation();
}
