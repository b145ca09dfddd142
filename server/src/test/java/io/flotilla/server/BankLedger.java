package io.flotilla.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bank test's final reckoning: the bank as read after the run against what the clients
 * were told. A committed transfer must have its record, as it wrote it; a failed one must have
 * none; an ambiguous one happened exactly if its record is there. Replaying the records on the
 * opening balances must give the final balances.
 */
final class BankLedger {
  private final List<BankClient.Attempt> attempts = new ArrayList<>();
  final List<String> problems = new ArrayList<>();
  /** Ambiguous transfers whose record shows they happened. */
  int ambiguousApplied;

  void add(List<BankClient.Attempt> more) {
    attempts.addAll(more);
  }

  void check(Map<Integer, Long> balances, Map<String, Bank.Transfer> records) {
    String wrong = Bank.violation(balances);
    if (wrong != null) {
      problems.add("after the run " + wrong);
    }
    Map<String, BankClient.Attempt> asked = new HashMap<>();
    for (BankClient.Attempt a : attempts) {
      asked.put(a.id(), a);
      Bank.Transfer found = records.get(a.id());
      switch (a.outcome()) {
        case COMMITTED -> {
          if (!a.committed().equals(found)) {
            problems.add("transfer " + a.committed() + " committed, but its record is "
                + found);
          }
        }
        case FAILED -> {
          if (found != null) {
            problems.add("transfer " + a.id() + " failed, but its record is there: " + found);
          }
        }
        case AMBIGUOUS -> ambiguousApplied += found == null ? 0 : 1;
      }
    }
    Map<Integer, Long> replayed = new HashMap<>();
    for (Bank.Transfer t : records.values()) {
      if (!asked.containsKey(t.id())) {
        problems.add("record " + t + " of a transfer nobody asked for");
      }
      replayed.merge(t.from(), -t.amount(), Long::sum);
      replayed.merge(t.to(), t.amount(), Long::sum);
    }
    for (var e : balances.entrySet()) {
      long expected = Bank.INITIAL + replayed.getOrDefault(e.getKey(), 0L);
      if (e.getValue() != expected) {
        problems.add(Bank.account(e.getKey()) + " holds " + e.getValue() + ", but its"
            + " transfer records add up to " + expected);
      }
    }
  }
}
