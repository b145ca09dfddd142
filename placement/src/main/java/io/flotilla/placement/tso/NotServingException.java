package io.flotilla.placement.tso;

/**
 * This oracle hands out no timestamps (now): it does not lead the system range, it is still
 * taking over, or it found that another node took over. Nothing was handed out; retry on the
 * leader.
 */
public final class NotServingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NotServingException(String message) {
    super(message, null, false, false);
  }
}
