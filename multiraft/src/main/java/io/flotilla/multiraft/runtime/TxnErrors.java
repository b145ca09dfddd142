package io.flotilla.multiraft.runtime;

import com.google.protobuf.ByteString;
import io.flotilla.kv.mvcc.Lock;
import io.flotilla.kv.mvcc.MvccException;
import io.flotilla.multiraft.proto.LockInfoPb;
import io.flotilla.multiraft.proto.MutationPb;
import io.flotilla.multiraft.proto.TxnErrorPb;
import io.flotilla.multiraft.proto.WriteConflictPb;

/**
 * MVCC's refusals in their wire form: each tells the transaction's client what is known (the
 * request wrote nothing) and what to do next.
 */
public final class TxnErrors {
  private TxnErrors() {}

  /** The wire form of a refusal MVCC made, or null if {@code e} is not one. */
  public static TxnErrorPb of(Throwable e, long startTs) {
    TxnErrorPb.Builder b = TxnErrorPb.newBuilder().setMessage(String.valueOf(e.getMessage()));
    switch (e) {
      case MvccException.KeyLocked l -> b.setLocked(lockInfo(l.key(), l.lock()));
      case MvccException.WriteConflict c -> b.setWriteConflict(WriteConflictPb.newBuilder()
          .setStartTs(startTs).setConflictCommitTs(c.conflictCommitTs()));
      case MvccException.TxnAborted a -> b.setAborted(true);
      case MvccException.TxnCommitted c -> b.setCommittedTs(c.commitTs());
      case MvccException.TxnNotFound n -> b.setNotFound(true);
      case MvccException.BelowSafePoint p -> b.setBelowSafePoint(p.safePoint());
      case IllegalArgumentException i -> b.setInvalid(true);
      case OnePhaseRefused r -> b.setOnePhaseRefused(true);
      default -> {
        return null;
      }
    }
    return b.build();
  }

  /** A lock in its wire form. */
  public static LockInfoPb lockInfo(byte[] key, Lock lock) {
    return LockInfoPb.newBuilder().setKey(ByteString.copyFrom(key))
        .setPrimary(ByteString.copyFrom(lock.primary())).setStartTs(lock.startTs())
        .setTtlMillis(lock.ttlMillis()).setOp(switch (lock.kind()) {
          case PUT -> MutationPb.Op.PUT;
          case DELETE -> MutationPb.Op.DELETE;
          case LOCK -> MutationPb.Op.LOCK;
        }).build();
  }
}
