package io.flotilla.server;

import io.flotilla.multiraft.client.TxnClient;
import io.flotilla.multiraft.client.TxnException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One client thread of the bank test, until a deadline: either transfers between two random
 * accounts, each in one transaction, remembering what became of each; or audits, each reading
 * every balance in one transaction and checking that no money was created or lost.
 */
final class BankClient implements Runnable {
  enum Role { TRANSFERS, AUDITS }

  /** What the client was told: committed, certainly not, or unknown. */
  enum Outcome { COMMITTED, FAILED, AMBIGUOUS }

  /** One transfer asked for: {@code committed} is what its transaction wrote, if it committed. */
  record Attempt(String id, Outcome outcome, Bank.Transfer committed) {}

  private final int id;
  private final Role role;
  private final TxnClient txns;
  private final SplittableRandom random;
  private final long endNanos;

  final List<Attempt> attempts = new ArrayList<>();
  /** Failures by kind (a {@link TxnException.Kind}, or another exception's class). */
  final Map<String, Integer> failures = new TreeMap<>();
  final List<String> violations = new ArrayList<>();
  int auditsChecked;
  int auditsFailed;

  BankClient(int id, Role role, TxnClient txns, long seed, long endNanos) {
    this.id = id;
    this.role = role;
    this.txns = txns;
    this.random = new SplittableRandom(seed);
    this.endNanos = endNanos;
  }

  @Override
  public void run() {
    for (long seq = 0; System.nanoTime() < endNanos; seq++) {
      if (role == Role.TRANSFERS) {
        transfer(seq);
      } else {
        audit();
        // Each audit reads the whole bank: leave the two cores to the transfers in between.
        Pause.millis(20 + random.nextInt(30));
      }
    }
  }

  /** Half the transfers stay within a decade of accounts: those commit in one phase. */
  private void transfer(long seq) {
    int from = random.nextInt(Bank.ACCOUNTS);
    int to;
    if (random.nextBoolean()) {
      int first = from / 10 * 10;
      to = first + (from - first + 1 + random.nextInt(9)) % 10;
    } else {
      to = (from + 1 + random.nextInt(Bank.ACCOUNTS - 1)) % Bank.ACCOUNTS;
    }
    long want = 1 + random.nextInt(20);
    String recordId = Bank.recordId(from, id, seq);
    try {
      Bank.Transfer t = txns.run(txn -> Bank.transfer(txn, recordId, from, to, want));
      attempts.add(new Attempt(recordId, Outcome.COMMITTED, t));
    } catch (Bank.Broken e) {
      violations.add(recordId + ": " + e.getMessage());
    } catch (TxnException e) {
      count(e.kind().name());
      attempts.add(new Attempt(recordId, e.kind() == TxnException.Kind.AMBIGUOUS
          ? Outcome.AMBIGUOUS : Outcome.FAILED, null));
    } catch (RuntimeException e) {
      // Not a transaction's answer: nothing says whether it committed.
      count(e.getClass().getSimpleName());
      attempts.add(new Attempt(recordId, Outcome.AMBIGUOUS, null));
    }
  }

  private void audit() {
    boolean byScan = random.nextBoolean();
    try {
      Map<Integer, Long> balances = txns.run(txn -> Bank.balances(txn, byScan));
      String wrong = Bank.violation(balances);
      if (wrong != null) {
        violations.add("an audit by " + (byScan ? "scan" : "gets") + " saw " + wrong);
      }
      auditsChecked++;
    } catch (Bank.Broken e) {
      violations.add("an audit by gets: " + e.getMessage());
    } catch (TxnException e) {
      count(e.kind().name());
      auditsFailed++;
    } catch (RuntimeException e) {
      count(e.getClass().getSimpleName());
      auditsFailed++;
    }
  }

  private void count(String kind) {
    failures.merge(kind, 1, Integer::sum);
  }
}
