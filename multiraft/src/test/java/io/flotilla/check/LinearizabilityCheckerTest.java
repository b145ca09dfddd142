package io.flotilla.check;

import static io.flotilla.check.KvModel.get;
import static io.flotilla.check.KvModel.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flotilla.check.CheckResult.Verdict;
import io.flotilla.check.RegisterModel.Input;
import io.flotilla.check.RegisterModel.Output;
import io.flotilla.check.RegisterModel.Read;
import io.flotilla.check.RegisterModel.Write;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker's contract beyond any one model: budget, determinism, argument checks. */
class LinearizabilityCheckerTest {
  private static final RegisterModel REGISTER = new RegisterModel();

  /**
   * Many concurrent writes of distinct values and a final read of a value nobody wrote: not
   * linearizable, and the search must try every order of the writes (pruned by the cache) to know.
   */
  private static List<Operation<Input, Output>> hardHistory() {
    List<Operation<Input, Output>> ops = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ops.add(new Operation<>(i, new Write(i), Output.success(), 0, 100));
    }
    ops.add(new Operation<>(99, new Read(), Output.read(42), 200, 300));
    return ops;
  }

  @Test
  void emptyHistoryIsLinearizable() {
    CheckResult result = LinearizabilityChecker.check(REGISTER, List.of(), 0);
    assertEquals(new CheckResult(Verdict.LINEARIZABLE, "", 0), result);
  }

  @Test
  void verdictAndStepCountAreDeterministic() {
    CheckResult first = LinearizabilityChecker.check(REGISTER, hardHistory(), 1_000_000);
    CheckResult second = LinearizabilityChecker.check(REGISTER, hardHistory(), 1_000_000);
    assertEquals(Verdict.NOT_LINEARIZABLE, first.verdict(), first::toString);
    assertEquals(first, second);
  }

  @Test
  void runningOutOfStepsGivesUnknownNotAVerdict() {
    long needed = LinearizabilityChecker.check(REGISTER, hardHistory(), 1_000_000).steps();
    CheckResult starved = LinearizabilityChecker.check(REGISTER, hardHistory(), needed - 1);
    assertEquals(Verdict.UNKNOWN, starved.verdict(), starved::toString);
    assertEquals(needed - 1, starved.steps());
    assertEquals(
        Verdict.NOT_LINEARIZABLE,
        LinearizabilityChecker.check(REGISTER, hardHistory(), needed).verdict());
  }

  @Test
  void budgetCoversAllPartitionsTogether() {
    List<Operation<KvModel.Op<String, String>, String>> x =
        List.of(put(1, "x", "1", 0, 10), get(2, "x", "1", 20, 30));
    List<Operation<KvModel.Op<String, String>, String>> both =
        List.of(
            put(1, "x", "1", 0, 10),
            put(1, "y", "1", 0, 10),
            get(2, "x", "1", 20, 30),
            get(2, "y", "1", 20, 30));
    long onePart = LinearizabilityChecker.check(new KvModel<>(), x, 100).steps();
    CheckResult result = LinearizabilityChecker.check(new KvModel<>(), both, 100);
    assertEquals(new CheckResult(Verdict.LINEARIZABLE, "", 2 * onePart), result);
    CheckResult starved = LinearizabilityChecker.check(new KvModel<>(), both, 2 * onePart - 1);
    assertEquals(Verdict.UNKNOWN, starved.verdict());
  }

  @Test
  void rejectsNegativeBudget() {
    assertThrows(
        IllegalArgumentException.class,
        () -> LinearizabilityChecker.check(REGISTER, hardHistory(), -1));
  }

  @Test
  void rejectsMalformedOperations() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Operation<>(1, new Read(), Output.read(1), 10, 5));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Operation<>(1, new Read(), Output.read(1), 10, Operation.UNKNOWN_RETURN));
  }
}
