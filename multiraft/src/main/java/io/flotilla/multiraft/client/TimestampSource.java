package io.flotilla.multiraft.client;

/**
 * Where transactions get their timestamps: the placement driver's TSO (its {@code TsoClient}).
 * Every call returns a timestamp greater than every one returned before, anywhere.
 */
@FunctionalInterface
public interface TimestampSource {
  /** A fresh timestamp; blocks. Fails with an unchecked exception when none can be had. */
  long next();
}
