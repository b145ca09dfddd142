package io.flotilla.multiraft.kv;

import io.flotilla.kv.mvcc.MvccException;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.KvError.Code;
import io.flotilla.multiraft.runtime.RangeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Turns a runtime failure into the {@link KvError} a client acts on. The one judgement made
 * here is whether a failed write may still apply: only a timeout or an unexpected failure after
 * proposing leaves that open, and only those become {@code AMBIGUOUS}.
 */
final class KvErrors {
  private KvErrors() {}

  /**
   * The error for a request whose future failed with {@code failure}.
   *
   * @param write whether the request was a proposal (which may apply after a timeout)
   */
  static KvError of(Throwable failure, boolean write) {
    Throwable t = unwrap(failure);
    return switch (t) {
      case RangeException.NotLeader e -> KvError.newBuilder().setCode(Code.NOT_LEADER)
          .setMessage(e.getMessage()).setLeaderHint(e.leaderHint())
          .setRange(e.descriptor().toProto()).build();
      case RangeException.KeyOutsideRange e -> KvError.newBuilder()
          .setCode(Code.KEY_OUTSIDE_RANGE).setMessage(e.getMessage())
          .setRange(e.descriptor().toProto()).build();
      case RangeException.RangeNotFound e -> error(Code.RANGE_NOT_FOUND, e.getMessage());
      case RangeException.ProposalDropped e -> error(Code.PROPOSAL_DROPPED, e.getMessage());
      case RejectedExecutionException e -> error(Code.UNAVAILABLE, e.getMessage());
      case TimeoutException e -> write
          ? error(Code.AMBIGUOUS, "no outcome within the server's timeout; the write may still"
              + " apply")
          : error(Code.UNAVAILABLE, "read timed out (no leader confirmed it in time)");
      // Refused before anything was written (MvccWriter adds nothing to its batch on refusal).
      case IllegalArgumentException e -> error(Code.INVALID, e.getMessage());
      case MvccException e -> error(Code.UNAVAILABLE, e.getMessage());
      default -> write
          ? error(Code.AMBIGUOUS, "unexpected failure after proposing (the write may still"
              + " apply): " + t)
          : error(Code.UNAVAILABLE, "unexpected failure: " + t);
    };
  }

  /**
   * The error for a command that was committed but refused when applied: it wrote nothing, so
   * unlike {@link #of} nothing here is ambiguous.
   */
  static KvError refusedOnApply(RuntimeException refusal) {
    return switch (refusal) {
      case RangeException e -> of(e, false);
      case MvccException e -> error(Code.UNAVAILABLE, e.getMessage());
      default -> error(Code.INVALID, String.valueOf(refusal.getMessage()));
    };
  }

  static KvError error(Code code, String message) {
    return KvError.newBuilder().setCode(code).setMessage(message == null ? "" : message).build();
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
