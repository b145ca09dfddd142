package io.flotilla.check;

import io.flotilla.check.CheckResult.Verdict;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Wing–Gong–Lowe search over one (sub-)history, as in Porcupine: walk the invocation and
 * response entries in time order; linearize a pending operation whenever the model allows it,
 * lifting it out of the list; on reaching the response of an operation not yet linearized, undo
 * the most recent choice and try the next candidate. A set of (linearized operations, state) pairs
 * already explored prunes orderings that lead to the same configuration.
 *
 * <p>Operations with unknown outcome get no response entry, so nothing ever forces them into the
 * linearization: the search succeeds once every completed operation is placed, which lets such an
 * operation take effect at any point after its invocation, or never.
 *
 * <p>Single use: construct, then {@link #run} once.
 */
final class Search<S, I, O> {
  /** How many operations of the longest linearizable prefix an explanation shows. */
  private static final int SHOWN_PREFIX = 3;

  private final Model<S, I, O> model;
  private final List<Operation<I, O>> ops;
  private final int completedOps;
  // Entries are numbered in time order. They form a doubly linked list between two sentinels so
  // that lifting an operation out, and putting it back on backtrack, are O(1) (dancing links).
  private final int head;
  private final int[] next;
  private final int[] prev;
  private final int[] opOf;
  private final boolean[] isInvocation;
  /** For an invocation entry, its response entry; -1 if the outcome is unknown. */
  private final int[] responseOf;

  private final List<S> savedStates = new ArrayList<>();
  private final int[] chosen;
  private int depth;
  // The deepest dead end so far, to explain a failure: the operations linearized on the way there,
  // and the operation whose response stopped the search.
  private int[] longestPrefix = new int[0];
  private int blockedOp = -1;

  Search(Model<S, I, O> model, List<Operation<I, O>> ops) {
    this.model = model;
    this.ops = List.copyOf(ops);
    List<long[]> events = timeOrderedEvents();
    int entries = events.size();
    completedOps = entries - this.ops.size();
    head = entries;
    next = new int[entries + 2];
    prev = new int[entries + 2];
    opOf = new int[entries];
    isInvocation = new boolean[entries];
    responseOf = new int[entries];
    chosen = new int[this.ops.size()];
    int[] invocationOf = new int[this.ops.size()];
    int last = head;
    for (int e = 0; e < entries; e++) {
      int op = (int) events.get(e)[2];
      opOf[e] = op;
      isInvocation[e] = events.get(e)[1] == 0;
      responseOf[e] = -1;
      if (isInvocation[e]) {
        invocationOf[op] = e;
      } else {
        responseOf[invocationOf[op]] = e;
      }
      next[last] = e;
      prev[e] = last;
      last = e;
    }
    int tail = entries + 1;
    next[last] = tail;
    prev[tail] = last;
  }

  /**
   * (time, 0 = invocation / 1 = response, operation) triples, sorted. Invocations sort before
   * responses at equal times, so operations that touch at an instant count as concurrent.
   */
  private List<long[]> timeOrderedEvents() {
    List<long[]> events = new ArrayList<>();
    for (int k = 0; k < ops.size(); k++) {
      Operation<I, O> op = ops.get(k);
      events.add(new long[] {op.invokeTime(), 0, k});
      if (!op.outcomeUnknown()) {
        events.add(new long[] {op.returnTime(), 1, k});
      }
    }
    events.sort(
        Comparator.<long[]>comparingLong(ev -> ev[0])
            .thenComparingLong(ev -> ev[1])
            .thenComparingLong(ev -> ev[2]));
    return events;
  }

  /** Runs the search, giving up with {@link Verdict#UNKNOWN} after {@code maxSteps} entries. */
  CheckResult run(long maxSteps) {
    S state = model.init();
    BitSet linearized = new BitSet(ops.size());
    Set<Configuration<S>> explored = new HashSet<>();
    int unplaced = completedOps;
    long steps = 0;
    int entry = next[head];
    while (unplaced > 0) {
      if (steps == maxSteps) {
        return new CheckResult(
            Verdict.UNKNOWN, "step budget of " + maxSteps + " exhausted", steps);
      }
      steps++;
      int op = opOf[entry];
      if (isInvocation[entry]) {
        Operation<I, O> o = ops.get(op);
        if (o.outcomeUnknown() || model.legal(state, o.input(), o.output())) {
          S after = model.apply(state, o.input());
          linearized.set(op);
          if (!explored.contains(new Configuration<>(linearized, after))) {
            explored.add(new Configuration<>((BitSet) linearized.clone(), after));
            savedStates.add(state);
            chosen[depth++] = entry;
            state = after;
            lift(entry);
            unplaced -= o.outcomeUnknown() ? 0 : 1;
            entry = next[head];
            continue;
          }
          linearized.clear(op);
        }
        entry = next[entry];
      } else {
        // The response of an operation that is still pending: it must have taken effect before
        // anything that follows, and no candidate did, so the last choice was wrong.
        noteDeadEnd(op);
        if (depth == 0) {
          return new CheckResult(Verdict.NOT_LINEARIZABLE, explainFailure(), steps);
        }
        int undone = chosen[--depth];
        state = savedStates.remove(depth);
        linearized.clear(opOf[undone]);
        unplaced += ops.get(opOf[undone]).outcomeUnknown() ? 0 : 1;
        unlift(undone);
        entry = next[undone];
      }
    }
    return new CheckResult(Verdict.LINEARIZABLE, "", steps);
  }

  private void lift(int invocation) {
    unlink(invocation);
    if (responseOf[invocation] >= 0) {
      unlink(responseOf[invocation]);
    }
  }

  private void unlift(int invocation) {
    if (responseOf[invocation] >= 0) {
      relink(responseOf[invocation]);
    }
    relink(invocation);
  }

  private void unlink(int entry) {
    next[prev[entry]] = next[entry];
    prev[next[entry]] = prev[entry];
  }

  private void relink(int entry) {
    next[prev[entry]] = entry;
    prev[next[entry]] = entry;
  }

  private void noteDeadEnd(int op) {
    if (blockedOp < 0 || depth > longestPrefix.length) {
      longestPrefix = new int[depth];
      for (int i = 0; i < depth; i++) {
        longestPrefix[i] = opOf[chosen[i]];
      }
      blockedOp = op;
    }
  }

  private String explainFailure() {
    StringBuilder sb = new StringBuilder("cannot linearize ").append(describe(blockedOp));
    sb.append(" after the longest linearizable prefix (")
        .append(longestPrefix.length)
        .append(" of ")
        .append(ops.size())
        .append(" operations)");
    int shown = Math.min(longestPrefix.length, SHOWN_PREFIX);
    if (shown > 0) {
      sb.append(", which ends ");
      for (int i = longestPrefix.length - shown; i < longestPrefix.length; i++) {
        sb.append(i > longestPrefix.length - shown ? ", " : "").append(describe(longestPrefix[i]));
      }
    }
    return sb.toString();
  }

  private String describe(int op) {
    Operation<I, O> o = ops.get(op);
    String what =
        o.outcomeUnknown()
            ? model.describe(o.input()) + " -> ?"
            : model.describe(o.input(), o.output());
    String end = o.outcomeUnknown() ? "?" : Long.toString(o.returnTime());
    return what + " [client " + o.clientId() + ", " + o.invokeTime() + ".." + end + "]";
  }

  /** A point in the search: which operations are linearized, and the state they lead to. */
  private record Configuration<S>(BitSet linearized, S state) {}
}
