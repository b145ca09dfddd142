package io.flotilla.check;

import java.util.List;

/**
 * Linearizability by definition, for tiny histories: is there a sequence of all completed
 * operations and any subset of the unknown ones, legal for the model, in which every operation
 * comes after each completed operation that returned before it was invoked? No pruning, no
 * caching, no undo: an oracle simple enough to trust.
 */
final class BruteForce {
  private BruteForce() {}

  static <S, I, O> boolean linearizable(Model<S, I, O> model, List<Operation<I, O>> history) {
    return extend(model, history, new boolean[history.size()], model.init());
  }

  private static <S, I, O> boolean extend(
      Model<S, I, O> model, List<Operation<I, O>> history, boolean[] placed, S state) {
    boolean allCompletedPlaced = true;
    for (int k = 0; k < history.size(); k++) {
      allCompletedPlaced &= placed[k] || history.get(k).outcomeUnknown();
    }
    if (allCompletedPlaced) {
      return true;
    }
    for (int k = 0; k < history.size(); k++) {
      Operation<I, O> op = history.get(k);
      if (placed[k] || !everyPredecessorPlaced(history, placed, op)) {
        continue;
      }
      if (!op.outcomeUnknown() && !model.legal(state, op.input(), op.output())) {
        continue;
      }
      placed[k] = true;
      boolean found = extend(model, history, placed, model.apply(state, op.input()));
      placed[k] = false;
      if (found) {
        return true;
      }
    }
    return false;
  }

  private static <I, O> boolean everyPredecessorPlaced(
      List<Operation<I, O>> history, boolean[] placed, Operation<I, O> op) {
    for (int k = 0; k < history.size(); k++) {
      if (!placed[k] && history.get(k).returnTime() < op.invokeTime()) {
        return false;
      }
    }
    return true;
  }
}
