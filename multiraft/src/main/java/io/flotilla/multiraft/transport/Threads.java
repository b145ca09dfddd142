package io.flotilla.multiraft.transport;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Names the transport's threads, so a thread dump says whose they are. */
final class Threads {
  private Threads() {}

  /**
   * Daemon threads named {@code prefix} (then {@code -2}, {@code -3}, ...): a transport that
   * was not closed must not keep the JVM alive.
   */
  static ThreadFactory named(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      int n = count.incrementAndGet();
      Thread t = new Thread(r, n == 1 ? prefix : prefix + "-" + n);
      t.setDaemon(true);
      return t;
    };
  }
}
