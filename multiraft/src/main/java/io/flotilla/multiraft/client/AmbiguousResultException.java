package io.flotilla.multiraft.client;

/**
 * A write whose outcome is unknown: it may have been applied, may be applied later, or may
 * never be. Not a {@link KvException}: the caller must treat it differently (a history records
 * it as unknown; a retry must be a deliberate, idempotent decision of the caller's).
 */
public final class AmbiguousResultException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AmbiguousResultException(String message, Throwable cause) {
    super(message, cause);
  }
}
