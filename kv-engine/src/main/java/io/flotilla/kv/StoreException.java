package io.flotilla.kv;

import java.nio.file.Path;

/**
 * A store operation failed: the message names the store's directory and the cause (a RocksDB
 * status such as corruption or a full disk, a bad argument, or an identity mismatch).
 */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(Path dir, String message) {
    super("store " + dir + ": " + message);
  }

  public StoreException(Path dir, String message, Throwable cause) {
    super("store " + dir + ": " + message + (cause.getMessage() == null ? ""
        : ": " + cause.getMessage()), cause);
  }
}
