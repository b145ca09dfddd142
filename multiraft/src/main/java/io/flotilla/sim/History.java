package io.flotilla.sim;

import io.flotilla.check.CheckResult;
import io.flotilla.check.KvModel;
import io.flotilla.check.LinearizabilityChecker;
import io.flotilla.check.Operation;
import io.flotilla.raft.ProposalId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The clients' history of puts and linearizable gets, with an exact, incremental
 * linearizability check.
 *
 * <p>Why a cheap check is exact here: every put writes a unique value and the puts take effect in
 * log order, so a get that returns the value of the put at log index w takes effect right after
 * that put. The history is then linearizable iff, for every pair of operations on one key where
 * the first completed before the second was invoked, the first's position is not after the
 * second's (a put's position is its log index, a get's is w + 1/2). Each pair kind reduces to a
 * running maximum per key taken at invocation time: the highest index of an acknowledged put and
 * the highest w of a completed get; the later operation's position must not be below it.
 *
 * <p>Time is a logical clock ticked at every invocation and completion, so "before" is exact
 * even for events at the same virtual instant. At the end of a run the general checker
 * ({@link LinearizabilityChecker}) re-checks the whole history, as a second opinion.
 */
final class History {
  enum Status { PENDING, OK, FAILED, UNKNOWN }

  /** One client operation. A put's value is its id; a get's value is what it read. */
  static final class Op {
    final long id;
    final int client;
    final boolean put;
    final int key;
    final long invoke;
    final long ackedWriteMaxAtInvoke;
    final long readMaxAtInvoke;
    long value;
    long complete = -1;
    Status status = Status.PENDING;
    ProposalId pid;
    long node;
    int incarnation;
    /** Put: the log index it was applied at (0 until then). Get: the index of the write seen. */
    long index;

    Op(long id, int client, boolean put, int key, long invoke, long ackedWriteMax,
        long readMax) {
      this.id = id;
      this.client = client;
      this.put = put;
      this.key = key;
      this.invoke = invoke;
      this.ackedWriteMaxAtInvoke = ackedWriteMax;
      this.readMaxAtInvoke = readMax;
    }

    @Override
    public String toString() {
      return (put ? "put(k" + key + ", " + id + ")" : "get(k" + key + ")#" + id + " -> "
          + (complete < 0 ? "?" : value == 0 ? "absent" : value + " (index " + index + ")"))
          + " by client " + client + " " + status.name().toLowerCase(java.util.Locale.ROOT)
          + (pid == null ? "" : " at " + pid.term() + "/" + pid.index() + " via " + node);
    }
  }

  private final List<Op> ops = new ArrayList<>();
  private final Map<Long, Op> byId = new HashMap<>();
  private final long[] ackedWriteMax = new long[KvStateMachine.MAX_KEYS];
  private final long[] readMax = new long[KvStateMachine.MAX_KEYS];
  private long clock;
  private long nextId = 1;

  /** A fresh op id, which is also the value a put writes. */
  long newId() {
    return nextId++;
  }

  List<Op> ops() {
    return ops;
  }

  Op invokePut(long id, int client, int key, ProposalId pid, long node, int incarnation) {
    Op op = new Op(id, client, true, key, ++clock, ackedWriteMax[key], readMax[key]);
    op.value = id;
    op.pid = pid;
    op.node = node;
    op.incarnation = incarnation;
    ops.add(op);
    byId.put(id, op);
    return op;
  }

  Op invokeGet(long id, int client, int key, long node) {
    Op op = new Op(id, client, false, key, ++clock, ackedWriteMax[key], readMax[key]);
    op.node = node;
    ops.add(op);
    byId.put(id, op);
    return op;
  }

  /** The first member to apply the put with value {@code opId} did so at {@code index}. */
  void onWriteLogged(long opId, int key, long index) {
    Op op = byId.get(opId);
    if (op == null || !op.put || op.key != key) {
      throw new SimViolation("linearizability", "index " + index + " holds a put of " + opId
          + " to k" + key + " that no client issued");
    }
    op.index = index;
    if (op.status == Status.FAILED) {
      throw new SimViolation("linearizability", op + " was reported failed, yet applied at "
          + index);
    }
    if (index <= op.readMaxAtInvoke) {
      throw new SimViolation("linearizability", op + " landed at index " + index + ", but a get"
          + " that completed before it was invoked had already seen index " + op.readMaxAtInvoke);
    }
    if (index <= op.ackedWriteMaxAtInvoke) {
      throw new SimViolation("linearizability", op + " landed at index " + index + ", before"
          + " the put at " + op.ackedWriteMaxAtInvoke + " that was acknowledged before it began");
    }
  }

  void completePut(Op op, Status status) {
    op.status = status;
    op.complete = ++clock;
    if (status == Status.OK) {
      ackedWriteMax[op.key] = Math.max(ackedWriteMax[op.key], op.pid.index());
    }
  }

  /** A get returned {@code value} (0: absent), the write at log index {@code writeIndex}. */
  void completeGet(Op op, long value, long writeIndex) {
    op.status = Status.OK;
    op.complete = ++clock;
    op.value = value;
    op.index = writeIndex;
    if (value == 0 ? writeIndex != 0 : writeIndex == 0) {
      throw new SimViolation("linearizability", op + " read value " + value + " at index "
          + writeIndex);
    }
    if (value != 0) {
      Op w = byId.get(value);
      if (w == null || !w.put || w.key != op.key || w.index != writeIndex) {
        throw new SimViolation("linearizability", op + " read a value that "
            + (w == null ? "nobody wrote" : "was written by " + w + " at index " + w.index));
      }
    }
    if (writeIndex < op.ackedWriteMaxAtInvoke) {
      throw new SimViolation("linearizability", "stale read: " + op + ", but the put at index "
          + op.ackedWriteMaxAtInvoke + " was acknowledged before the get was invoked");
    }
    if (writeIndex < op.readMaxAtInvoke) {
      throw new SimViolation("linearizability", "stale read: " + op + ", but a get completed "
          + "before it was invoked had already seen index " + op.readMaxAtInvoke);
    }
    readMax[op.key] = Math.max(readMax[op.key], writeIndex);
  }

  /** A get whose answer never came; it has no effect, so it leaves the history. */
  void abandonGet(Op op) {
    op.status = Status.UNKNOWN;
  }

  /**
   * The general checker over the whole history. Puts known to have failed are left out; puts
   * without an acknowledgement may have taken effect at any point after their invocation.
   */
  CheckResult checkWithGeneralChecker(long maxSteps) {
    List<Operation<KvModel.Op<Integer, Long>, Long>> h = new ArrayList<>();
    for (Op op : ops) {
      if (op.put) {
        if (op.status == Status.OK) {
          h.add(KvModel.put(op.client, op.key, op.value, op.invoke, op.complete));
        } else if (op.status != Status.FAILED) {
          h.add(KvModel.putUnknown(op.client, op.key, op.value, op.invoke));
        }
      } else if (op.status == Status.OK) {
        h.add(KvModel.get(op.client, op.key, op.value == 0 ? null : op.value, op.invoke,
            op.complete));
      }
    }
    return LinearizabilityChecker.check(new KvModel<>(), h, maxSteps);
  }
}
