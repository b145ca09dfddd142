package io.flotilla.check;

import io.flotilla.check.CheckResult.Verdict;
import java.util.List;

/**
 * Decides whether a concurrent history is linearizable with respect to a {@link Model}, in the
 * manner of Porcupine (Wing–Gong–Lowe search with state caching, after splitting the history with
 * {@link Model#partition}).
 *
 * <p>The search is exponential in the worst case, so it runs under a budget of search steps
 * rather than a wall-clock timeout: the same history and budget always give the same verdict, on
 * any machine and under any load, which a deterministic simulator needs to replay a failure.
 */
public final class LinearizabilityChecker {

  private LinearizabilityChecker() {}

  /**
   * Checks {@code history}, spending at most {@code maxSteps} search steps over all partitions
   * together; one step examines one invocation or response entry.
   */
  public static <S, I, O> CheckResult check(
      Model<S, I, O> model, List<Operation<I, O>> history, long maxSteps) {
    if (maxSteps < 0) {
      throw new IllegalArgumentException("negative step budget " + maxSteps);
    }
    List<List<Operation<I, O>>> parts = model.partition(history);
    long used = 0;
    for (int p = 0; p < parts.size(); p++) {
      CheckResult part = new Search<>(model, parts.get(p)).run(maxSteps - used);
      used += part.steps();
      if (part.verdict() != Verdict.LINEARIZABLE) {
        String where =
            parts.size() == 1 ? "" : "partition " + (p + 1) + " of " + parts.size() + ": ";
        return new CheckResult(part.verdict(), where + part.explanation(), used);
      }
    }
    return new CheckResult(Verdict.LINEARIZABLE, "", used);
  }
}
