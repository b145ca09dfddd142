package io.flotilla.server;

/** The nemesis's and clients' deliberate pauses (fault durations, pacing): not waits. */
final class Pause {
  private Pause() {}

  static void millis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
