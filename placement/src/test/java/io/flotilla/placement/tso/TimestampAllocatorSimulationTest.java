package io.flotilla.placement.tso;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Three allocators on one mark store, driven by a seeded random schedule: any of them may
 * believe it leads at any moment (several at once), stop, tick or be asked for timestamps;
 * the store's calls take effect in a random order; the clock drifts forward, jumps ahead and
 * goes backwards. After every seed: no timestamp was handed out twice, and every answered
 * request's timestamps are above those of every request answered before it was made.
 *
 * <p>{@code -Dtso.seeds=N} runs N seeds (default 300); a failure names its seed.
 */
class TimestampAllocatorSimulationTest {
  private static final TsoOptions OPTIONS = new TsoOptions(3000, 2000, 10_000, 20);
  private static final int STEPS = 1500;

  private record Request(long invoked, int count, CompletableFuture<Long> result) {}

  private record Answer(long invoked, long answered, long first, int count) {
    long last() {
      return first + count - 1;
    }
  }

  @Test
  void noTimestampTwiceAndNeverBelowOneAnsweredEarlier() {
    int seeds = Integer.getInteger("tso.seeds", 300);
    long answers = 0;
    long timestamps = 0;
    for (long seed = 1; seed <= seeds; seed++) {
      List<Answer> run = simulate(seed);
      answers += run.size();
      timestamps += check(seed, run);
    }
    System.out.printf("TimestampAllocatorSimulationTest: %d seeds, %d answered requests"
        + " (%d timestamps) checked%n", seeds, answers, timestamps);
    assertTrue(answers > seeds * 50L, "the schedules let requests through: " + answers);
  }

  private static List<Answer> simulate(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    MemoryMarkStore store = new MemoryMarkStore();
    store.hold(true);
    List<TimestampAllocator> allocators = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      AtomicLong ids = new AtomicLong((i + 1) * 1_000_000L);
      allocators.add(new TimestampAllocator(store, clock::get, ids::getAndIncrement, OPTIONS));
    }
    List<Request> open = new ArrayList<>();
    List<Answer> answers = new ArrayList<>();
    long time = 0;
    for (int step = 0; step < STEPS; step++) {
      TimestampAllocator a = allocators.get(random.nextInt(allocators.size()));
      int action = random.nextInt(100);
      if (action < 35 && store.pendingCount() > 0) {
        store.run(random.nextInt(store.pendingCount()));
      } else if (action < 65) {
        int count = random.nextInt(10) == 0 ? 1 + random.nextInt(5000) : 1 + random.nextInt(8);
        open.add(new Request(++time, count, a.allocate(count)));
      } else if (action < 75) {
        a.serve();
      } else if (action < 80) {
        a.stop("simulated loss of leadership");
      } else if (action < 88) {
        a.tick();
      } else if (action < 97) {
        clock.addAndGet(random.nextInt(400));
      } else if (action < 99) {
        clock.addAndGet(-random.nextInt(10_000));
      } else {
        clock.addAndGet(3000 + random.nextInt(10_000));
      }
      time = collect(open, answers, time);
    }
    store.runAll();
    collect(open, answers, time);
    return answers;
  }

  /** Records the requests answered in this step, all at one new moment. */
  private static long collect(List<Request> open, List<Answer> answers, long time) {
    long now = time + 1;
    boolean any = false;
    for (var it = open.iterator(); it.hasNext(); ) {
      Request r = it.next();
      if (r.result().isDone()) {
        it.remove();
        if (!r.result().isCompletedExceptionally()) {
          answers.add(new Answer(r.invoked(), now, r.result().join(), r.count()));
          any = true;
        }
      }
    }
    return any ? now : time;
  }

  private static long check(long seed, List<Answer> answers) {
    List<Answer> byFirst = new ArrayList<>(answers);
    byFirst.sort(Comparator.comparingLong(Answer::first));
    long timestamps = 0;
    for (int i = 0; i < byFirst.size(); i++) {
      timestamps += byFirst.get(i).count();
      if (i > 0 && byFirst.get(i).first() <= byFirst.get(i - 1).last()) {
        fail("seed " + seed + ": handed out twice: " + byFirst.get(i - 1) + ", "
            + byFirst.get(i));
      }
    }
    for (Answer b : answers) {
      for (Answer a : answers) {
        if (a.answered() < b.invoked() && b.first() <= a.last()) {
          fail("seed " + seed + ": " + b + " was asked for after " + a + " was answered");
        }
      }
    }
    return timestamps;
  }
}
