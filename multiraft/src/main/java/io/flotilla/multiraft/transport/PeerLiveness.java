package io.flotilla.multiraft.transport;

import java.lang.System.Logger.Level;

/**
 * Whether one peer is up, judged from when it last answered: reported to the handler once per
 * change. {@link #judge} runs on the timer thread only, so reports never reorder; {@link
 * #heard} may be called from any thread.
 */
final class PeerLiveness {
  private static final System.Logger LOG = System.getLogger(Peer.class.getName());

  private enum Verdict { UNKNOWN, UP, DOWN }

  private final long node;
  private final long timeoutNanos;
  private final Transport.Handler handler;
  private final long createdNanos = System.nanoTime();
  private volatile long lastHeardNanos; // 0: never
  private volatile Verdict verdict = Verdict.UNKNOWN;

  PeerLiveness(long node, long timeoutNanos, Transport.Handler handler) {
    this.node = node;
    this.timeoutNanos = timeoutNanos;
    this.handler = handler;
  }

  /** The peer answered just now; true if that may change the verdict (judge soon). */
  boolean heard() {
    lastHeardNanos = System.nanoTime();
    return verdict != Verdict.UP;
  }

  /** Whether nothing was heard for the timeout, counted from {@code sinceNanos} at earliest. */
  boolean silentSince(long sinceNanos, long nowNanos) {
    return nowNanos - Math.max(lastHeardNanos, sinceNanos) > timeoutNanos;
  }

  /**
   * Reports a change: up once an answer came within the timeout; down once nothing came for
   * the timeout (counted from creation for a peer never heard, so that an unreachable new peer
   * is reported too).
   */
  void judge() {
    long now = System.nanoTime();
    long heard = lastHeardNanos;
    boolean recent = heard != 0 && now - heard <= timeoutNanos;
    if (recent && verdict != Verdict.UP) {
      verdict = Verdict.UP;
      LOG.log(Level.INFO, "node " + node + " is reachable");
      handler.onPeerUp(node);
    } else if (!recent && verdict != Verdict.DOWN && silentSince(createdNanos, now)) {
      verdict = Verdict.DOWN;
      LOG.log(Level.WARNING, "node " + node + " is unreachable (nothing heard for "
          + timeoutNanos / 1_000_000 + " ms)");
      handler.onPeerDown(node);
    }
  }
}
