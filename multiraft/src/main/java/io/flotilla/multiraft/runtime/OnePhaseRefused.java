package io.flotilla.multiraft.runtime;

/**
 * A one-phase commit the range's leader did not propose ({@link OnePhaseGate}): nothing was
 * written, and the same transaction can commit in two phases.
 */
public final class OnePhaseRefused extends RuntimeException {
  private static final long serialVersionUID = 1L;

  OnePhaseRefused(long rangeId, String why) {
    super("range " + rangeId + ": one-phase commit refused: " + why, null, false, false);
  }
}
