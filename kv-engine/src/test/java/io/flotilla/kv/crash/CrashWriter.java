package io.flotilla.kv.crash;

import io.flotilla.kv.GroupLog;
import io.flotilla.kv.RaftHardState;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreOptions;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child process of {@link CrashCycleTest}: opens an existing store, reads where every
 * group's log stands, and commits random {@link io.flotilla.kv.WalBatch}es for many groups from
 * several threads at once (so group commit coalesces them) until it is killed. It never exits on
 * its own.
 *
 * <p>Protocol on stdout, one line per write(2) so that a SIGKILL leaves whole lines (or a
 * final fragment without newline, which the parent drops):
 * <ul>
 *   <li>{@code OPENING} before {@link Store#open}, {@code READY <groups> <entries>} after;
 *   <li>{@code BEGIN <plan>} just before {@link RaftLogStore#commit} is called;
 *   <li>{@code ACK <plan>} once it returned, i.e. once the batch is durable;
 *   <li>{@code ERROR <what>} and exit code 2 if anything fails.
 * </ul>
 * A group is claimed by one thread from its {@code BEGIN} until after its {@code ACK} (the
 * runtime's rule: a group's batches are committed one after the other), so per group the lines
 * are strictly ordered and at most one batch per group is in flight when the kill comes.
 *
 * <p>Usage: {@code CrashWriter <dir> <seed> <cycle> <groups> <threads>}. Exits (code 3) when its
 * stdin reaches end of file, so that it never outlives a parent that died.

 */
public final class CrashWriter {
  /** Small entry cache: the child lives for well under a second. */
  static final StoreOptions OPTIONS = StoreOptions.DEFAULTS.withEntryCacheBytes(8 << 20);
  /** Batch ids are {@code cycle * ID_STRIDE + n}: unique over a run, never 0. */
  static final long ID_STRIDE = 1_000_000_000L;

  private CrashWriter() {}

  /** Where one group's log stands, as the claiming thread plans it. */
  private static final class GroupState {
    long truncIndex;
    long lastIndex;
    long term;
  }

  /** Groups taken by a thread for one batch; guarded by its monitor. */
  private static final class Claims {
    private final boolean[] busy;
    private int free;

    Claims(int groups) {
      busy = new boolean[groups + 1];
      free = groups;
    }

    synchronized int[] claim(SplittableRandom rnd, int want) throws InterruptedException {
      while (free == 0) {
        wait();
      }
      int[] candidates = new int[free];
      int n = 0;
      for (int g = 1; g < busy.length; g++) {
        if (!busy[g]) {
          candidates[n++] = g;
        }
      }
      int take = Math.min(want, n);
      for (int i = 0; i < take; i++) {
        int j = i + rnd.nextInt(n - i);
        int t = candidates[i];
        candidates[i] = candidates[j];
        candidates[j] = t;
        busy[candidates[i]] = true;
      }
      free -= take;
      return Arrays.copyOf(candidates, take);
    }

    synchronized void release(int[] groups) {
      for (int g : groups) {
        busy[g] = false;
      }
      free += groups.length;
      notifyAll();
    }
  }

  /** Unbuffered stdout: each line is one write(2). */
  private static final FileOutputStream OUT = new FileOutputStream(FileDescriptor.out);

  static synchronized void line(String s) {
    try {
      OUT.write((s + "\n").getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      Runtime.getRuntime().halt(3);
    }
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    long cycle = Long.parseLong(args[2]);
    int groups = Integer.parseInt(args[3]);
    int threads = Integer.parseInt(args[4]);
    Thread watchdog = new Thread(CrashWriter::exitWhenParentGoes, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      line("OPENING");
      Store store = Store.open(dir, OPTIONS);
      RaftLogStore log = new RaftLogStore(store);
      GroupState[] state = new GroupState[groups + 1];
      long entries = 0;
      for (int g = 1; g <= groups; g++) {
        GroupLog gl = log.group(g);
        GroupState s = new GroupState();
        s.truncIndex = gl.truncatedState().index();
        s.lastIndex = gl.lastIndex();
        s.term = Math.max(gl.hardState().term(), gl.term(gl.lastIndex()));
        state[g] = s;
        entries += s.lastIndex - s.truncIndex;
      }
      line("READY " + groups + " " + entries);
      AtomicLong ids = new AtomicLong(cycle * ID_STRIDE);
      Claims claims = new Claims(groups);
      SplittableRandom root = new SplittableRandom(seed);
      for (int t = 0; t < threads; t++) {
        SplittableRandom rnd = root.split();
        new Thread(() -> commitForever(log, state, claims, ids, rnd), "committer-" + t).start();
      }
    } catch (Throwable e) {
      die(e);
    }
  }

  private static void commitForever(RaftLogStore log, GroupState[] state, Claims claims,
      AtomicLong ids, SplittableRandom rnd) {
    try {
      while (true) {
        int[] mine = claims.claim(rnd, 1 + rnd.nextInt(state.length - 1));
        BatchPlan plan = plan(ids.incrementAndGet(), mine, state, rnd);
        String text = plan.format();
        line("BEGIN " + text);
        log.commit(plan.toWalBatch());
        line("ACK " + text);
        claims.release(mine);
      }
    } catch (Throwable e) {
      die(e);
    }
  }

  /**
   * One random batch over the claimed groups: mostly appends, sometimes a conflicting append
   * that rewrites a suffix with a higher term, a hard state alone, or a snapshot that replaces
   * the whole log (which also keeps the logs from growing without bound over many cycles).
   */
  private static BatchPlan plan(long id, int[] groups, GroupState[] state, SplittableRandom rnd) {
    List<BatchPlan.Part> parts = new ArrayList<>(groups.length);
    for (int g : groups) {
      GroupState s = state[g];
      BatchPlan.Snapshot snap = null;
      BatchPlan.Entries ents = null;
      int r = rnd.nextInt(100);
      if (r < 2) {
        long at = s.lastIndex + rnd.nextInt(4);
        snap = new BatchPlan.Snapshot(at, s.term);
        s.truncIndex = at;
        s.lastIndex = at;
        if (rnd.nextBoolean()) {
          ents = append(s, s.lastIndex + 1, rnd);
        }
      } else if (r < 10 && s.lastIndex > s.truncIndex) {
        s.term++;
        long back = rnd.nextLong(Math.min(10, s.lastIndex - s.truncIndex));
        ents = append(s, s.lastIndex - back, rnd);
      } else if (r >= 18) {
        if (rnd.nextInt(20) == 0) {
          s.term++;
        }
        ents = append(s, s.lastIndex + 1, rnd);
      }
      RaftHardState hs = null;
      if ((snap == null && ents == null) || rnd.nextInt(10) < 3) {
        hs = new RaftHardState(s.term, id, rnd.nextLong(s.lastIndex + 1));
      }
      parts.add(new BatchPlan.Part(g, snap, ents, hs));
    }
    return new BatchPlan(id, parts);
  }

  private static BatchPlan.Entries append(GroupState s, long first, SplittableRandom rnd) {
    long last = first + rnd.nextInt(20);
    s.lastIndex = last;
    return new BatchPlan.Entries(first, last, s.term);
  }

  private static void exitWhenParentGoes() {
    try {
      while (System.in.read() != -1) {
        // The parent never writes; end of file means it is gone.
      }
    } catch (IOException e) {
      // Same: the pipe is gone.
    }
    Runtime.getRuntime().halt(3);
  }

  private static void die(Throwable e) {
    StringWriter sw = new StringWriter();
    e.printStackTrace(new PrintWriter(sw));
    System.err.print(sw);
    System.err.flush();
    line("ERROR " + String.valueOf(e).replace('\n', ' '));
    Runtime.getRuntime().halt(2);
  }
}
