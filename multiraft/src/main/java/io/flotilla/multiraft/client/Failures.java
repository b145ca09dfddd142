package io.flotilla.multiraft.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;

/** Reads a gRPC failure for the one thing the client must know: could the request have run? */
final class Failures {
  private Failures() {}

  /**
   * Whether the request certainly never reached a server: the connection could not even be
   * made (refused, host unknown), or the server does not know the method. Anything else (a
   * deadline, a reset or closed connection, a cancellation) may have hit after the server got
   * the request, so for a write it is ambiguous.
   */
  static boolean certainlyNotSent(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    if (code == Status.Code.UNIMPLEMENTED) {
      return true;
    }
    if (code != Status.Code.UNAVAILABLE) {
      return false;
    }
    for (Throwable t = e.getStatus().getCause(); t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof UnknownHostException
          || t instanceof UnresolvedAddressException) {
        return true;
      }
    }
    return false;
  }

  /** A short description for messages: the status code and its description. */
  static String describe(StatusRuntimeException e) {
    Status s = e.getStatus();
    return s.getCode() + (s.getDescription() == null ? "" : " (" + s.getDescription() + ")");
  }
}
