package io.flotilla.check;

import static io.flotilla.check.KvModel.get;
import static io.flotilla.check.KvModel.put;
import static io.flotilla.check.KvModel.putUnknown;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.check.CheckResult.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-made key-value histories whose verdicts are easy to see. */
class KvModelTest {
  private static final long BUDGET = 100_000;

  @SafeVarargs
  private static CheckResult check(Operation<KvModel.Op<String, String>, String>... ops) {
    // Copied by hand: handing the generic varargs array on would be a heap-pollution warning.
    List<Operation<KvModel.Op<String, String>, String>> history = new ArrayList<>();
    for (Operation<KvModel.Op<String, String>, String> op : ops) {
      history.add(op);
    }
    return LinearizabilityChecker.check(new KvModel<>(), history, BUDGET);
  }

  private static void assertVerdict(Verdict expected, CheckResult result) {
    assertEquals(expected, result.verdict(), result::toString);
  }

  @Test
  void sequentialHistoryOnTwoKeysIsLinearizable() {
    assertVerdict(
        Verdict.LINEARIZABLE,
        check(
            get(1, "x", null, 0, 5),
            put(1, "x", "1", 10, 20),
            put(2, "y", "a", 12, 18),
            get(2, "x", "1", 30, 40),
            put(1, "x", "2", 50, 60),
            get(2, "y", "a", 62, 64),
            get(1, "x", "2", 70, 80)));
  }

  @Test
  void staleReadIsNotLinearizable() {
    CheckResult result =
        check(put(1, "x", "1", 0, 10), put(1, "x", "2", 20, 30), get(2, "x", "1", 40, 50));
    assertVerdict(Verdict.NOT_LINEARIZABLE, result);
    assertTrue(result.explanation().contains("get(x) -> 1 [client 2, 40..50]"), result::toString);
  }

  @Test
  void readOfAValueNeverWrittenIsNotLinearizable() {
    assertVerdict(
        Verdict.NOT_LINEARIZABLE, check(put(1, "x", "1", 0, 10), get(2, "x", "7", 20, 30)));
  }

  @Test
  void readOfAbsentKeyAfterAWriteIsNotLinearizable() {
    assertVerdict(
        Verdict.NOT_LINEARIZABLE, check(put(1, "x", "1", 0, 10), get(2, "x", null, 20, 30)));
  }

  @Test
  void readConcurrentWithAWriteMaySeeEitherValue() {
    for (String seen : new String[] {"1", "2"}) {
      assertVerdict(
          Verdict.LINEARIZABLE,
          check(put(1, "x", "1", 0, 10), put(1, "x", "2", 20, 60), get(2, "x", seen, 30, 50)));
    }
    assertVerdict(
        Verdict.NOT_LINEARIZABLE,
        check(put(1, "x", "1", 0, 10), put(1, "x", "2", 20, 60), get(2, "x", null, 30, 50)));
  }

  @Test
  void concurrentWritesMayTakeEffectInEitherOrder() {
    for (String last : new String[] {"1", "2"}) {
      assertVerdict(
          Verdict.LINEARIZABLE,
          check(put(1, "x", "1", 0, 50), put(2, "x", "2", 10, 40), get(3, "x", last, 60, 70)));
    }
  }

  @Test
  void readsMustAgreeOnTheOrderOfConcurrentWrites() {
    // Both writes are over by time 50; once one reader has seen 1 after 2, no one can see 2 again.
    assertVerdict(
        Verdict.NOT_LINEARIZABLE,
        check(
            put(1, "x", "1", 0, 50),
            put(2, "x", "2", 10, 40),
            get(3, "x", "1", 60, 70),
            get(4, "x", "2", 80, 90)));
  }

  @Test
  void opsThatTouchAtAnInstantAreConcurrent() {
    assertVerdict(
        Verdict.LINEARIZABLE, check(put(1, "x", "1", 0, 10), get(2, "x", null, 10, 20)));
  }

  @Test
  void unknownWriteObservedLaterIsLinearizable() {
    assertVerdict(
        Verdict.LINEARIZABLE,
        check(putUnknown(1, "x", "1", 0), get(2, "x", null, 5, 8), get(2, "x", "1", 100, 110)));
  }

  @Test
  void unknownWriteNeverObservedIsLinearizable() {
    assertVerdict(
        Verdict.LINEARIZABLE,
        check(
            put(2, "x", "0", 0, 1),
            putUnknown(1, "x", "1", 2),
            get(2, "x", "0", 100, 110),
            get(3, "x", "0", 200, 210)));
  }

  @Test
  void unknownWriteCannotBeUndoneOnceObserved() {
    assertVerdict(
        Verdict.NOT_LINEARIZABLE,
        check(
            putUnknown(1, "x", "1", 0), get(2, "x", "1", 100, 110), get(2, "x", null, 120, 130)));
  }

  @Test
  void unknownWriteCannotTakeEffectBeforeItIsInvoked() {
    assertVerdict(
        Verdict.NOT_LINEARIZABLE, check(get(2, "x", "1", 0, 10), putUnknown(1, "x", "1", 20)));
  }

  @Test
  void violationNamesItsKey() {
    CheckResult result =
        check(put(1, "x", "1", 0, 10), put(1, "y", "1", 0, 10), get(2, "y", "2", 20, 30));
    assertVerdict(Verdict.NOT_LINEARIZABLE, result);
    assertTrue(result.explanation().startsWith("partition 2 of 2: "), result::toString);
    assertTrue(result.explanation().contains("get(y) -> 2"), result::toString);
  }
}
