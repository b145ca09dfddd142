package io.flotilla.sim;

import java.util.PriorityQueue;

/**
 * Virtual time: a priority queue of actions ordered by (time, sequence number). The sequence
 * number breaks ties in scheduling order, so two events at the same instant always run in the
 * same order and a run never depends on the heap's internal layout.
 *
 * <p>A tick is {@link #TICK} time units; a message delay of a fraction of a tick lands between
 * the members' ticks, which is how the simulator interleaves within a tick.
 */
final class Scheduler {
  /** Time units per tick. */
  static final long TICK = 100;

  private record Event(long time, long seq, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final PriorityQueue<Event> queue = new PriorityQueue<>(256);
  private long now;
  private long seq;
  private long executed;

  long now() {
    return now;
  }

  /** The current tick number. */
  long tick() {
    return now / TICK;
  }

  long executed() {
    return executed;
  }

  /** Runs {@code action} at {@code time}, or now if that is in the past. */
  void at(long time, Runnable action) {
    queue.add(new Event(Math.max(time, now), seq++, action));
  }

  void after(long delay, Runnable action) {
    at(now + delay, action);
  }

  /** Runs the next event if it is due at or before {@code end}; false when there is none. */
  boolean runNext(long end) {
    Event e = queue.peek();
    if (e == null || e.time > end) {
      return false;
    }
    queue.poll();
    now = e.time;
    executed++;
    e.action.run();
    return true;
  }
}
