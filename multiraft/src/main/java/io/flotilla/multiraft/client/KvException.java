package io.flotilla.multiraft.client;

import io.flotilla.multiraft.proto.KvError;

/**
 * An operation that certainly did not take effect: refused as invalid, or given up after
 * retries that each certainly failed. The message names the key, the range and the node.
 */
public class KvException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final KvError.Code code;

  public KvException(String message, KvError.Code code, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * The last error code a node answered, or null when the last attempt reached no node.
   * {@code INVALID} means retrying will not help.
   */
  public KvError.Code code() {
    return code;
  }
}
