package io.flotilla.placement.tso;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where the TSO's high-water mark lives: in production one key of the system range, written
 * through Raft ({@link RaftMarkStore}); in tests an in-memory twin.
 *
 * <p>Both operations must be linearizable. A failed future means the outcome is unknown (a
 * compare-and-set may still have been applied); the allocator then stops serving.
 */
public interface MarkStore {

  /** The current mark, or empty if none was ever written. */
  CompletableFuture<Optional<Mark>> read();

  /**
   * Writes {@code next} if the stored mark is {@code expected} (byte for byte; empty: absent).
   *
   * @return whether it was written
   */
  CompletableFuture<Boolean> compareAndSet(Optional<Mark> expected, Mark next);
}
