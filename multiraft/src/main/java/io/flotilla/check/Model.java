package io.flotilla.check;

import java.util.List;

/**
 * The sequential specification a history is checked against.
 *
 * <p>Checking an operation is split into {@link #legal} and {@link #apply} rather than one step
 * function because an operation with an unknown outcome has no output to check, yet still changes
 * the state if it took effect. This requires the next state to follow from the state and the input
 * alone, which holds for registers, key-value maps, queues and most deterministic objects.
 *
 * <p>States are compared with {@code equals}/{@code hashCode} to prune the search, so they must
 * be immutable values. A state may be {@code null} (for example, an absent key).
 *
 * @param <S> the state of the object
 * @param <I> an operation's input
 * @param <O> an operation's output
 */
public interface Model<S, I, O> {

  S init();

  /** Whether {@code input}, applied to {@code state}, may have produced {@code output}. */
  boolean legal(S state, I input, O output);

  /** The state after {@code input} has taken effect on {@code state}. */
  S apply(S state, I input);

  /**
   * Splits a history into sub-histories that can be checked independently (P-compositionality,
   * e.g. one per key): the history is linearizable exactly when every part is. Checking the parts
   * separately keeps the search exponential only in the size of the largest part.
   */
  default List<List<Operation<I, O>>> partition(List<Operation<I, O>> history) {
    return List.of(history);
  }

  /** The input alone, for operations whose outcome is unknown. */
  default String describe(I input) {
    return String.valueOf(input);
  }

  default String describe(I input, O output) {
    return describe(input) + " -> " + output;
  }
}
