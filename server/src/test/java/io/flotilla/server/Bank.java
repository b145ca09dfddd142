package io.flotilla.server;

import io.flotilla.multiraft.client.KvEntry;
import io.flotilla.multiraft.client.Transaction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bank test's data and the transactions on it: {@value #ACCOUNTS} accounts {@code
 * acct/000}.. holding decimal balances, and one record per transfer, {@code
 * acct/<decade>x/<client>/<seq>} = {@code "<from> <to> <amount>"}, written in the transfer's
 * own transaction so that whether a transfer happened can be read back afterwards. A record
 * sorts right after the ten accounts of its source's decade ({@code acct/04x/..} after {@code
 * acct/049}), in their range while no split came between them: a transfer within a decade
 * commits in one phase, one across decades in two.
 */
final class Bank {
  static final int ACCOUNTS = 100;
  static final long INITIAL = 100;
  static final long TOTAL = ACCOUNTS * INITIAL;
  private static final String PREFIX = "acct/";
  /** Where a decade's record keys start: after its accounts' digits. */
  private static final char RECORD_MARK = 'x';
  /** More than any run writes: a scan with this limit sees every record. */
  private static final int SCAN_ALL = 10_000_000;

  private Bank() {}

  /** An invariant the data broke, found inside a transaction (not a transaction failure). */
  static final class Broken extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Broken(String message) {
      super(message);
    }
  }

  /** A transfer as its transaction wrote it (or meant to). */
  record Transfer(String id, int from, int to, long amount) {
    String encode() {
      return from + " " + to + " " + amount;
    }

    static Transfer decode(String id, String value) {
      String[] parts = value.split(" ");
      if (parts.length != 3) {
        throw new Broken("record " + id + " holds '" + value + "'");
      }
      return new Transfer(id, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
          Long.parseLong(parts[2]));
    }
  }

  static String account(int index) {
    return "%s%03d".formatted(PREFIX, index);
  }

  /** The record of transfer {@code seq} of {@code client}, from account {@code from}. */
  static String recordId(int from, int client, long seq) {
    return decade(from) + RECORD_MARK + "/" + client + "/" + seq;
  }

  /** The key prefix of the accounts {@code index} shares a decade with: acct/04 for 42. */
  private static String decade(int index) {
    return account(index).substring(0, PREFIX.length() + 2);
  }

  /** Opens every account with {@link #INITIAL}, in {@code txn}. */
  static Void open(Transaction txn) {
    for (int i = 0; i < ACCOUNTS; i++) {
      txn.put(bytes(account(i)), bytes(String.valueOf(INITIAL)));
    }
    return null;
  }

  /**
   * Moves {@code want} from one account to another, or what the source holds if that is less,
   * and records it under {@code id}; balances never go negative.
   */
  static Transfer transfer(Transaction txn, String id, int from, int to, long want) {
    long source = balance(txn, from);
    long target = balance(txn, to);
    long amount = Math.min(want, source);
    Transfer t = new Transfer(id, from, to, amount);
    txn.put(bytes(account(from)), bytes(String.valueOf(source - amount)));
    txn.put(bytes(account(to)), bytes(String.valueOf(target + amount)));
    txn.put(bytes(id), bytes(t.encode()));
    return t;
  }

  private static long balance(Transaction txn, int index) {
    byte[] v = txn.get(bytes(account(index)));
    if (v == null) {
      throw new Broken("account " + account(index) + " has no balance at "
          + txn.startTs());
    }
    return Long.parseLong(text(v));
  }

  /** Every account's balance, by one scan per decade (not its records) or one get each. */
  static Map<Integer, Long> balances(Transaction txn, boolean byScan) {
    Map<Integer, Long> out = new TreeMap<>();
    if (byScan) {
      for (int first = 0; first < ACCOUNTS; first += 10) {
        // ':' follows '9': the scan ends after the decade's last account.
        for (KvEntry e : txn.scan(bytes(account(first)), bytes(decade(first) + ':'), 10)) {
          out.put(Integer.parseInt(text(e.key()).substring(PREFIX.length())),
              Long.parseLong(text(e.value())));
        }
      }
    } else {
      for (int i = 0; i < ACCOUNTS; i++) {
        out.put(i, balance(txn, i));
      }
    }
    return out;
  }

  /** Every transfer record, by id. */
  static Map<String, Transfer> records(Transaction txn) {
    Map<String, Transfer> out = new TreeMap<>();
    for (KvEntry e : txn.scan(bytes(PREFIX), bytes(end(PREFIX)), SCAN_ALL)) {
      String id = text(e.key());
      if (id.charAt(PREFIX.length() + 2) == RECORD_MARK) {
        out.put(id, Transfer.decode(id, text(e.value())));
      }
    }
    return out;
  }

  /**
   * What is wrong with {@code balances} as one snapshot of the bank (an account missing or
   * negative, money created or lost), or null.
   */
  static String violation(Map<Integer, Long> balances) {
    if (balances.size() != ACCOUNTS) {
      return balances.size() + " accounts instead of " + ACCOUNTS;
    }
    long total = 0;
    for (var e : balances.entrySet()) {
      if (e.getValue() < 0) {
        return account(e.getKey()) + " holds " + e.getValue();
      }
      total += e.getValue();
    }
    return total == TOTAL ? null : "the total is " + total + ", not " + TOTAL;
  }

  /** The first key after every key with {@code prefix} (the prefix's last byte plus one). */
  private static String end(String prefix) {
    return prefix.substring(0, prefix.length() - 1)
        + (char) (prefix.charAt(prefix.length() - 1) + 1);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
