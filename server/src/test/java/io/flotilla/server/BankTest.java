package io.flotilla.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.KvClientOptions;
import io.flotilla.multiraft.client.TxnClient;
import io.flotilla.placement.tso.TsoClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank test: three real {@code flotilla start} JVMs, 100 accounts over ten account ranges,
 * clients moving money between random accounts in transactions while others read every balance
 * in one transaction, and a seeded nemesis ({@link BankNemesis}) killing and restarting nodes,
 * splitting ranges and moving leaders. Snapshot isolation means every read-all sees the same
 * total; atomic, durable commits mean the final balances are what the transfers' own records
 * add up to ({@link BankLedger}).
 *
 * <p>{@code -Dflotilla.bank.seconds=N} runs the clients for N seconds (default 35);
 * {@code -Dflotilla.bank.seed=S} replays the nemesis's schedule and the clients' choices.
 */
class BankTest {
  private static final int TRANSFER_CLIENTS = 4;
  private static final int AUDIT_CLIENTS = 2;

  /** The bank after the run, balances and records in one snapshot. */
  private record Reckoning(Map<Integer, Long> balances, Map<String, Bank.Transfer> records) {}

  @TempDir
  Path dir;

  private DemoCluster cluster;

  @AfterEach
  void stop() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void noMoneyIsCreatedOrLostUnderKillsSplitsAndLeaderMoves() throws Exception {
    long seconds = Long.getLong("flotilla.bank.seconds", 35);
    long seed = Long.getLong("flotilla.bank.seed", System.nanoTime());
    System.out.println("BankTest: seed " + seed + " (-Dflotilla.bank.seed=" + seed
        + " replays it), " + seconds + " s");
    cluster = new DemoCluster(dir, "bank-logs");
    cluster.start();
    BankNemesis nemesis = new BankNemesis(cluster, seed);
    nemesis.splitAccounts();

    List<BankClient> clients = new ArrayList<>();
    Reckoning last;
    long workNanos;
    KvClientOptions options = KvClientOptions.defaults().withJitterSeed(seed);
    try (KvClient kv = new KvClient(cluster.addresses(), options);
        TsoClient tso = new TsoClient(cluster.addresses());
        TxnClient txns = new TxnClient(kv, tso::getTimestamp)) {
      txns.run(Bank::open);
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < TRANSFER_CLIENTS + AUDIT_CLIENTS; c++) {
        BankClient client = new BankClient(c, c < TRANSFER_CLIENTS ? BankClient.Role.TRANSFERS
            : BankClient.Role.AUDITS, txns, seed * 31 + c, end);
        clients.add(client);
        Thread t = new Thread(client, "bank-client-" + c);
        t.start();
        threads.add(t);
      }
      nemesis.run(end);
      for (Thread t : threads) {
        t.join();
      }
      workNanos = System.nanoTime() - start;
      cluster.heal(Duration.ofSeconds(30));
      last = txns.run(txn -> new Reckoning(Bank.balances(txn, true), Bank.records(txn)));
    }

    BankLedger ledger = new BankLedger();
    List<String> violations = new ArrayList<>();
    Map<String, Integer> failures = new TreeMap<>();
    int audits = 0;
    int auditsFailed = 0;
    for (BankClient c : clients) {
      ledger.add(c.attempts);
      violations.addAll(c.violations);
      c.failures.forEach((k, n) -> failures.merge(k, n, Integer::sum));
      audits += c.auditsChecked;
      auditsFailed += c.auditsFailed;
    }
    ledger.check(last.balances(), last.records());
    long committed = count(clients, BankClient.Outcome.COMMITTED);
    System.out.printf("BankTest summary: transfers committed %d (%.1f/s) / failed %d /"
            + " ambiguous %d (%d applied); audits checked %d (failed %d); failures %s;"
            + " kills %d, splits %d, leader transfers %d, nemesis steps refused %d;"
            + " unexpected deaths %d; %d records; seed %d%n",
        committed, committed * 1e9 / workNanos, count(clients, BankClient.Outcome.FAILED),
        count(clients, BankClient.Outcome.AMBIGUOUS), ledger.ambiguousApplied, audits,
        auditsFailed, failures, cluster.kills.get(), nemesis.splits, nemesis.leaderTransfers,
        nemesis.refused, cluster.unexpectedDeaths().size(), last.records().size(), seed);

    assertEquals(List.of(), violations, "audits saw a broken bank (seed " + seed + ")");
    assertEquals(List.of(), ledger.problems, "the final bank disagrees with what the clients"
        + " were told (seed " + seed + ")");
    assertTrue(committed > 0, "no transfer committed (seed " + seed + ")");
    assertTrue(audits > 0, "no audit succeeded (seed " + seed + ")");
    assertTrue(cluster.unexpectedDeaths().isEmpty(), "node processes died without being"
        + " killed: " + cluster.unexpectedDeaths());
  }

  private static long count(List<BankClient> clients, BankClient.Outcome outcome) {
    return clients.stream().flatMap(c -> c.attempts.stream())
        .filter(a -> a.outcome() == outcome).count();
  }
}
