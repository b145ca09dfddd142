package io.flotilla.multiraft.runtime;

import com.google.protobuf.ByteString;
import io.flotilla.kv.Store;
import io.flotilla.kv.mvcc.GcResult;
import io.flotilla.kv.mvcc.MvccException;
import io.flotilla.kv.mvcc.MvccGc;
import io.flotilla.kv.mvcc.MvccWriter;
import io.flotilla.kv.mvcc.Mutation;
import io.flotilla.kv.mvcc.TxnStatus;
import io.flotilla.multiraft.proto.MutationPb;
import io.flotilla.multiraft.proto.TxnCommandPb;
import io.flotilla.multiraft.proto.TxnResultPb;
import io.flotilla.multiraft.proto.TxnStatusPb;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.WriteBatch;

/**
 * Applies a transaction's command to a range: Percolator's steps ({@link MvccWriter}) on the
 * range's span. What it decides depends only on the store's state and the command, so every
 * replica decides alike. A command with a key outside the range is refused whole, before MVCC
 * sees it: after a split, the client re-routes the keys.
 */
final class TxnApplier {
  private TxnApplier() {}

  /**
   * The result: ok with a {@link TxnResultPb} (or null) in {@code current}, or a refusal.
   *
   * @param safePoint the range's GC safe point: what lies below it is refused
   */
  static ApplyResult apply(Store store, RangeDescriptor range, TxnCommandPb cmd,
      WriteBatch batch, long safePoint) {
    if (!allInside(range, cmd)) {
      return new ApplyResult(false, null, new RangeException.KeyOutsideRange(range));
    }
    try (ReadOptions view = new ReadOptions()) {
      MvccWriter w = new MvccWriter(store, view, batch, safePoint);
      TxnResultPb result = switch (cmd.getOpCase()) {
        case PREWRITE -> {
          var p = cmd.getPrewrite();
          w.prewrite(mutations(p.getMutationsList()), p.getPrimary().toByteArray(),
              p.getStartTs(), p.getTtlMillis());
          yield null;
        }
        case ONE_PHASE -> {
          var p = cmd.getOnePhase();
          w.commitOnePhase(mutations(p.getMutationsList()), p.getStartTs(), p.getCommitTs());
          yield null;
        }
        case COMMIT -> {
          var c = cmd.getCommit();
          w.commit(keys(c.getKeysList()), c.getStartTs(), c.getCommitTs());
          yield null;
        }
        case ROLLBACK -> {
          var r = cmd.getRollback();
          w.rollback(keys(r.getKeysList()), r.getStartTs());
          yield null;
        }
        case CHECK_STATUS -> {
          var c = cmd.getCheckStatus();
          TxnStatus status = w.checkTxnStatus(c.getPrimary().toByteArray(), c.getStartTs(),
              c.getCurrentTs());
          yield TxnResultPb.newBuilder().setStatus(status(c.getPrimary(), status)).build();
        }
        case RESOLVE -> {
          var r = cmd.getResolve();
          TxnStatus status = r.getCommitTs() == 0 ? new TxnStatus.RolledBack()
              : new TxnStatus.Committed(r.getCommitTs());
          for (byte[] key : keys(r.getKeysList())) {
            w.resolve(key, r.getStartTs(), status);
          }
          yield null;
        }
        case HEARTBEAT -> {
          var h = cmd.getHeartbeat();
          yield TxnResultPb.newBuilder().setTtlMillis(w.heartbeat(h.getPrimary().toByteArray(),
              h.getStartTs(), h.getTtlMillis())).build();
        }
        case GC -> {
          var g = cmd.getGc();
          // Asked again below where the range is (an older driver's pass): collect there.
          GcResult r = new MvccGc(store, view, batch).gcOwnSafePoint(
              g.getStartKey().toByteArray(), range.endKey(),
              Math.max(g.getSafePoint(), safePoint), Math.max(1, g.getMaxKeys()));
          TxnResultPb.Builder b = TxnResultPb.newBuilder().setGcKeys(r.keys())
              .setGcVersionsRemoved(r.writesRemoved());
          if (r.resumeKey() != null) {
            b.setGcResumeKey(ByteString.copyFrom(r.resumeKey()));
          }
          yield b.build();
        }
        case OP_NOT_SET -> throw new IllegalArgumentException("a transaction command with no"
            + " operation");
      };
      return new ApplyResult(true, result == null ? null : result.toByteArray(), null);
    } catch (MvccException | IllegalArgumentException e) {
      return new ApplyResult(false, null, e);
    }
  }

  /**
   * The newest timestamp the command writes a version at: the range's clock must stay above it
   * so that its later plain writes land above every version.
   */
  static long writesAt(TxnCommandPb cmd) {
    return switch (cmd.getOpCase()) {
      case ONE_PHASE -> cmd.getOnePhase().getCommitTs();
      case COMMIT -> cmd.getCommit().getCommitTs();
      case RESOLVE -> cmd.getResolve().getCommitTs();
      case PREWRITE -> cmd.getPrewrite().getStartTs();
      case ROLLBACK -> cmd.getRollback().getStartTs();
      case CHECK_STATUS -> cmd.getCheckStatus().getStartTs();
      default -> 0;
    };
  }

  /** The first key of the command: what routes it to its range. */
  static byte[] routingKey(TxnCommandPb cmd) {
    return switch (cmd.getOpCase()) {
      case PREWRITE -> first(cmd.getPrewrite().getMutationsList());
      case ONE_PHASE -> first(cmd.getOnePhase().getMutationsList());
      case COMMIT -> firstKey(cmd.getCommit().getKeysList());
      case ROLLBACK -> firstKey(cmd.getRollback().getKeysList());
      case CHECK_STATUS -> cmd.getCheckStatus().getPrimary().toByteArray();
      case RESOLVE -> firstKey(cmd.getResolve().getKeysList());
      case HEARTBEAT -> cmd.getHeartbeat().getPrimary().toByteArray();
      case GC -> cmd.getGc().getStartKey().toByteArray();
      case OP_NOT_SET -> throw new IllegalArgumentException("a transaction command with no"
          + " operation");
    };
  }

  private static byte[] first(List<MutationPb> ms) {
    if (ms.isEmpty()) {
      throw new IllegalArgumentException("a transaction command with no mutations");
    }
    return ms.get(0).getKey().toByteArray();
  }

  private static byte[] firstKey(List<ByteString> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a transaction command with no keys");
    }
    return keys.get(0).toByteArray();
  }

  private static boolean allInside(RangeDescriptor range, TxnCommandPb cmd) {
    List<ByteString> keys = new ArrayList<>();
    switch (cmd.getOpCase()) {
      case PREWRITE -> cmd.getPrewrite().getMutationsList().forEach(m -> keys.add(m.getKey()));
      case ONE_PHASE -> cmd.getOnePhase().getMutationsList().forEach(m -> keys.add(m.getKey()));
      case COMMIT -> keys.addAll(cmd.getCommit().getKeysList());
      case ROLLBACK -> keys.addAll(cmd.getRollback().getKeysList());
      case CHECK_STATUS -> keys.add(cmd.getCheckStatus().getPrimary());
      case RESOLVE -> keys.addAll(cmd.getResolve().getKeysList());
      case HEARTBEAT -> keys.add(cmd.getHeartbeat().getPrimary());
      case GC -> keys.add(cmd.getGc().getStartKey());
      case OP_NOT_SET -> {
      }
    }
    return keys.stream().allMatch(k -> range.contains(k.toByteArray()));
  }

  private static List<Mutation> mutations(List<MutationPb> ms) {
    List<Mutation> out = new ArrayList<>(ms.size());
    for (MutationPb m : ms) {
      byte[] key = m.getKey().toByteArray();
      out.add(switch (m.getOp()) {
        case PUT -> Mutation.put(key, m.getValue().toByteArray());
        case DELETE -> Mutation.delete(key);
        case LOCK -> Mutation.lock(key);
        case UNRECOGNIZED -> throw new IllegalArgumentException("an unknown mutation on key "
            + java.util.HexFormat.of().formatHex(key));
      });
    }
    return out;
  }

  private static List<byte[]> keys(List<ByteString> ks) {
    return ks.stream().map(ByteString::toByteArray).toList();
  }

  static TxnStatusPb status(ByteString primary, TxnStatus status) {
    return switch (status) {
      case TxnStatus.Committed c -> TxnStatusPb.newBuilder().setCommittedTs(c.commitTs())
          .build();
      case TxnStatus.RolledBack r -> TxnStatusPb.newBuilder().setRolledBack(true).build();
      case TxnStatus.Locked l -> TxnStatusPb.newBuilder().setLocked(TxnErrors.lockInfo(
          primary.toByteArray(), l.lock())).build();
    };
  }
}
