package io.flotilla.multiraft.transport;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for conditions nobody notifies about (counters), checking every few milliseconds. */
final class Await {
  private Await() {}

  static void until(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + RecordingHandler.TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting until " + what);
      }
      LockSupport.parkNanos(5_000_000);
    }
  }
}
