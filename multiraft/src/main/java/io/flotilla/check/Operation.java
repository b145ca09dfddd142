package io.flotilla.check;

/**
 * One client operation in a concurrent history: it was invoked at {@code invokeTime} and its
 * response arrived at {@code returnTime}. Times only need to be consistent within one history
 * (a logical clock or line numbers will do).
 *
 * <p>An operation whose response never arrived (crash, timeout, Jepsen {@code :info}) has {@link
 * #UNKNOWN_RETURN} as its return time and no output: it may have taken effect at any point after
 * its invocation, or never.
 *
 * @param clientId the client that issued it; used in explanations only
 * @param output the response; {@code null} when the outcome is unknown
 */
public record Operation<I, O>(int clientId, I input, O output, long invokeTime, long returnTime) {

  /** The return time of an operation whose outcome is unknown: it stays pending forever. */
  public static final long UNKNOWN_RETURN = Long.MAX_VALUE;

  public Operation {
    if (returnTime < invokeTime) {
      throw new IllegalArgumentException(
          "operation returns at " + returnTime + " before its invocation at " + invokeTime);
    }
    if (returnTime == UNKNOWN_RETURN && output != null) {
      throw new IllegalArgumentException("an operation with unknown outcome has no output");
    }
  }

  /** An operation that was invoked but whose outcome nobody observed. */
  public static <I, O> Operation<I, O> unknown(int clientId, I input, long invokeTime) {
    return new Operation<>(clientId, input, null, invokeTime, UNKNOWN_RETURN);
  }

  public boolean outcomeUnknown() {
    return returnTime == UNKNOWN_RETURN;
  }
}
