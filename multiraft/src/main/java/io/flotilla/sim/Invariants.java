package io.flotilla.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.Message;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Role;
import io.flotilla.raft.Snapshot;
import io.flotilla.sim.EventTrace.Kind;
import io.flotilla.sim.SimStats.Counter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Raft's safety properties, checked incrementally so that checking after every event costs
 * O(members) plus O(entries touched), never a scan of whole logs:
 *
 * <ol>
 *   <li>Election safety: one leader per term, ever ({@link #afterEvent}).
 *   <li>Log matching: every (index, term) ever written to a log or sent in an append names one
 *       entry and one previous term; by induction two logs that share an (index, term) share the
 *       whole prefix. Terms never decrease along a log. A live member's in-memory log ends where
 *       its persisted log ends once its Readies are handled.
 *   <li>Leader completeness: a new leader's log holds the highest entry known committed.
 *   <li>State machine safety: one entry per applied index across all members and lives (with a
 *       chain hash over the applied prefix, which also vets installed snapshots); commit indexes
 *       never go back within one life; an index once seen committed keeps its term.
 * </ol>
 *
 * <p>Lookups use hash maps, but nothing iterates them: iteration order must never steer a run.
 */
final class Invariants {
  private final Simulation sim;
  private final Map<Long, Long> leaderOfTerm = new HashMap<>();
  /** Per log index: (term, entry fingerprint, previous term) triples seen at that index. */
  private final List<long[]> written = new ArrayList<>();
  /** Per index, from the first member that applied it: term, fingerprint, chain hash. */
  private long[] appliedTerm = new long[1024];
  private long[] appliedPrint = new long[1024];
  private long[] appliedChain = new long[1024];
  private long appliedMax;
  private final Map<Long, Long> committedTermAt = new HashMap<>();
  private long commitMax;
  private long commitMaxTerm;
  // What we last saw of each member, per life.
  private final int[] seenIncarnation;
  private final long[] seenCommit;
  private final long[] seenTerm;
  private final Role[] seenRole;

  /**
   * @param genesis the snapshot the founding members start from: it counts as applied (with
   *     chain hash 0) and committed, since every founding member starts there
   */
  Invariants(Simulation sim, int maxNodeId, Snapshot genesis) {
    this.sim = sim;
    appliedMax = genesis.index();
    appliedTerm[(int) appliedMax] = genesis.term();
    commitMax = genesis.index();
    commitMaxTerm = genesis.term();
    seenIncarnation = new int[maxNodeId + 1];
    seenCommit = new long[maxNodeId + 1];
    seenTerm = new long[maxNodeId + 1];
    seenRole = new Role[maxNodeId + 1];
    java.util.Arrays.fill(seenIncarnation, -1);
  }

  long appliedMax() {
    return appliedMax;
  }

  /** The term of the entry applied at {@code index} (0 for index 0); index <= appliedMax. */
  long appliedTerm(long index) {
    return appliedTerm[(int) index];
  }

  long appliedPrint(long index) {
    return appliedPrint[(int) index];
  }

  static SimViolation violation(String invariant, String description) {
    return new SimViolation(invariant, description);
  }

  // ---- log matching ------------------------------------------------------------------------

  /** A member persisted {@code entries} (already appended to its storage). */
  void onPersisted(SimNode n, List<Entry> entries) {
    MemoryStorage s = n.storage();
    long floor = s.firstIndex() - 1;
    long expect = entries.get(0).index();
    for (Entry e : entries) {
      if (e.index() != expect++) {
        throw violation("log matching", "member " + n.id() + " was asked to persist "
            + "non-contiguous entries " + Messages.entries(entries));
      }
      if (e.index() <= floor) {
        continue;
      }
      long prevTerm = s.term(e.index() - 1);
      record(e, prevTerm, "member " + n.id() + "'s log");
    }
  }

  /** A leader sent an append: its entries claim a log too. */
  void onAppendMessage(Message.Append a) {
    long prevTerm = a.prevTerm();
    long index = a.prevIndex();
    for (Entry e : a.entries()) {
      if (e.index() != ++index) {
        throw violation("log matching", "append " + Messages.describe(a)
            + " holds non-contiguous entries");
      }
      if (e.term() > a.term()) {
        throw violation("log matching", "append " + Messages.describe(a) + " carries an entry of"
            + " a later term than the sender's");
      }
      record(e, prevTerm, "an append from " + a.from() + " to " + a.to());
      prevTerm = e.term();
    }
  }

  private void record(Entry e, long prevTerm, String where) {
    if (e.term() < prevTerm) {
      throw violation("log matching", where + " has " + e.term() + "/" + e.index()
          + " after an entry of term " + prevTerm + ": terms decrease along the log");
    }
    int i = (int) e.index();
    while (written.size() <= i) {
      written.add(null);
    }
    long[] slot = written.get(i);
    long print = Messages.fingerprint(e);
    if (slot != null) {
      for (int k = 0; k < slot.length; k += 3) {
        if (slot[k] == e.term()) {
          if (slot[k + 1] != print) {
            throw violation("log matching", where + " has " + Messages.describe(e)
                + " but another log has a different entry at the same index and term");
          }
          if (slot[k + 2] != prevTerm) {
            throw violation("log matching", where + " has " + e.term() + "/" + e.index()
                + " after an entry of term " + prevTerm + ", another log after term "
                + slot[k + 2] + ": same entry, different prefixes");
          }
          return;
        }
      }
    }
    long[] grown = slot == null ? new long[3] : java.util.Arrays.copyOf(slot, slot.length + 3);
    grown[grown.length - 3] = e.term();
    grown[grown.length - 2] = print;
    grown[grown.length - 1] = prevTerm;
    written.set(i, grown);
  }

  // ---- state machine safety ----------------------------------------------------------------

  /** A member applied {@code e}; returns whether it is the first member ever to apply it. */
  boolean onApplied(SimNode n, Entry e, long chain) {
    long i = e.index();
    long print = Messages.fingerprint(e);
    if (i <= appliedMax) {
      if (appliedTerm[(int) i] != e.term() || appliedPrint[(int) i] != print) {
        throw violation("state machine safety", "member " + n.id() + " applies "
            + Messages.describe(e) + " but index " + i + " was applied before with term "
            + appliedTerm[(int) i]
            + (appliedTerm[(int) i] == e.term() ? " and other contents" : ""));
      }
      if (appliedChain[(int) i] != chain) {
        throw violation("state machine safety", "member " + n.id() + " reaches " + e.term()
            + "/" + i + " with a different applied history (chain hash) than other members");
      }
      return false;
    }
    if (i != appliedMax + 1) {
      throw violation("state machine safety", "member " + n.id() + " applies " + i
          + " but nobody ever applied " + (appliedMax + 1));
    }
    if (i >= appliedTerm.length) {
      int len = appliedTerm.length * 2;
      appliedTerm = java.util.Arrays.copyOf(appliedTerm, len);
      appliedPrint = java.util.Arrays.copyOf(appliedPrint, len);
      appliedChain = java.util.Arrays.copyOf(appliedChain, len);
    }
    appliedTerm[(int) i] = e.term();
    appliedPrint[(int) i] = print;
    appliedChain[(int) i] = chain;
    appliedMax = i;
    Long committed = committedTermAt.get(i);
    if (committed != null && committed != e.term()) {
      throw violation("state machine safety", "member " + n.id() + " applies "
          + Messages.describe(e) + " but index " + i + " was seen committed with term "
          + committed);
    }
    return true;
  }

  /** A member is about to install {@code snap}, whose data restored to {@code kv}. */
  void onSnapshotInstalled(SimNode n, Snapshot snap, KvStateMachine kv) {
    long i = snap.index();
    if (kv.appliedIndex() != i) {
      throw violation("snapshot integrity", "snapshot at " + i + " sent to member " + n.id()
          + " holds state applied to " + kv.appliedIndex());
    }
    if (i > appliedMax) {
      throw violation("snapshot integrity", "member " + n.id() + " installs a snapshot at " + i
          + " but nobody ever applied past " + appliedMax);
    }
    if (appliedTerm[(int) i] != snap.term() || appliedChain[(int) i] != kv.chainHash()) {
      throw violation("state machine safety", "member " + n.id() + " installs a snapshot at "
          + snap.term() + "/" + i + " that differs from the applied history there (term "
          + appliedTerm[(int) i] + ")");
    }
    if (n.live() && i <= n.applied()) {
      throw violation("snapshot integrity", "member " + n.id() + " is handed a snapshot at "
          + i + " but has applied " + n.applied());
    }
  }

  // ---- per-event checks --------------------------------------------------------------------

  /** Election safety, leader completeness, commit monotonicity; after every event. */
  void afterEvent(SimNode[] nodes) {
    for (int id = 1; id < nodes.length; id++) {
      SimNode n = nodes[id];
      RaftNode r = n.raft();
      if (r == null) {
        continue;
      }
      if (seenIncarnation[id] != n.incarnation()) {
        seenIncarnation[id] = n.incarnation();
        seenCommit[id] = r.commitIndex();
        seenRole[id] = null;
        seenTerm[id] = -1;
      }
      long term = r.term();
      Role role = r.role();
      if (role == Role.LEADER && (seenRole[id] != Role.LEADER || seenTerm[id] != term)) {
        Long before = leaderOfTerm.putIfAbsent(term, (long) id);
        if (before != null && before != id) {
          throw violation("election safety", "members " + before + " and " + id
              + " both lead term " + term);
        }
        sim.trace(Kind.LEADER, id, "term " + term + ", last index " + r.lastIndex());
        checkLeaderCompleteness(n, term);
        if (before == null) {
          sim.stats().inc(Counter.ELECTIONS);
          sim.onNewLeader(n, term);
        }
      }
      seenRole[id] = role;
      seenTerm[id] = term;
      long commit = r.commitIndex();
      if (commit < seenCommit[id]) {
        throw violation("commit monotonicity", "member " + id + "'s commit index went from "
            + seenCommit[id] + " back to " + commit + " without a restart");
      }
      if (commit > seenCommit[id]) {
        seenCommit[id] = commit;
        recordCommit(n, commit);
        if (role == Role.LEADER && commit >= n.storage().firstIndex()
            && n.storage().term(commit) != term) {
          sim.stats().inc(Counter.PREV_TERM_COMMITS);
        }
      }
      if (r.lastIndex() != n.storage().lastIndex()) {
        throw violation("log matching", "member " + id + "'s log ends at " + r.lastIndex()
            + " in memory but at " + n.storage().lastIndex() + " on disk after all its"
            + " Readies were handled");
      }
    }
  }

  private void recordCommit(SimNode n, long commit) {
    MemoryStorage s = n.storage();
    if (commit > s.lastIndex()) {
      throw violation("log matching", "member " + n.id() + " has commit index " + commit
          + " beyond its last persisted entry " + s.lastIndex());
    }
    if (commit < s.firstIndex() - 1) {
      return;
    }
    long term = s.term(commit);
    Long before = committedTermAt.putIfAbsent(commit, term);
    if (before != null && before != term) {
      throw violation("state machine safety", "index " + commit + " was committed with term "
          + before + ", now member " + n.id() + " has it committed with term " + term);
    }
    if (commit <= appliedMax && appliedTerm[(int) commit] != term) {
      throw violation("state machine safety", "member " + n.id() + " commits " + term + "/"
          + commit + " but index " + commit + " was applied with term "
          + appliedTerm[(int) commit]);
    }
    if (commit > commitMax) {
      commitMax = commit;
      commitMaxTerm = term;
    }
  }

  private void checkLeaderCompleteness(SimNode n, long term) {
    long index = commitMax;
    long indexTerm = commitMaxTerm;
    if (appliedMax > index) {
      index = appliedMax;
      indexTerm = appliedTerm[(int) appliedMax];
    }
    MemoryStorage s = n.storage();
    if (s.lastIndex() < index) {
      throw violation("leader completeness", "member " + n.id() + " leads term " + term
          + " but its log ends at " + s.lastIndex() + ", before the committed entry "
          + indexTerm + "/" + index);
    }
    if (index >= s.firstIndex() - 1 && s.term(index) != indexTerm) {
      throw violation("leader completeness", "member " + n.id() + " leads term " + term
          + " with " + s.term(index) + "/" + index + " in its log, but " + indexTerm + "/"
          + index + " was committed");
    }
  }
}
