package io.flotilla.check;

/**
 * The outcome of a linearizability check.
 *
 * @param explanation why the history is not linearizable, or why the check gave up; empty when it
 *     is linearizable
 * @param steps search steps spent, for sizing the budget
 */
public record CheckResult(Verdict verdict, String explanation, long steps) {

  public enum Verdict {
    LINEARIZABLE,
    NOT_LINEARIZABLE,
    /** The step budget ran out before the search could decide. */
    UNKNOWN
  }

  public boolean isLinearizable() {
    return verdict == Verdict.LINEARIZABLE;
  }

  @Override
  public String toString() {
    return explanation.isEmpty()
        ? verdict + " (" + steps + " steps)"
        : verdict + " (" + steps + " steps): " + explanation;
  }
}
