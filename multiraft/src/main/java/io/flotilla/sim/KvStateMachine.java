package io.flotilla.sim;

import io.flotilla.raft.Entry;

/**
 * A member's application state: a tiny key-value map (keys 0..{@link #MAX_KEYS}-1, values
 * non-zero longs, 0 meaning absent) plus, per key, the log index of the write it holds, so a read
 * can name the write it observed.
 *
 * <p>It also keeps a chain hash over every applied entry (index, term, type, payload). Two
 * members at the same applied index must have the same chain hash; since the hash travels in
 * snapshots, this also checks that an installed snapshot is the state the log implies.
 */
final class KvStateMachine {
  static final int MAX_KEYS = 8;
  private static final int ENCODED_BYTES = 8 + 8 + MAX_KEYS * 16;

  private final long[] values = new long[MAX_KEYS];
  private final long[] writeIndex = new long[MAX_KEYS];
  private long appliedIndex;
  private long chainHash;

  long appliedIndex() {
    return appliedIndex;
  }

  long chainHash() {
    return chainHash;
  }

  long value(int key) {
    return values[key];
  }

  long writeIndex(int key) {
    return writeIndex[key];
  }

  /** The chain hash after appending {@code e} to a chain ending in {@code prev}. */
  static long chain(long prev, Entry e) {
    return Hashing.mix(prev, Messages.fingerprint(e));
  }

  /** Applies the next entry; {@code cmd} is its decoded command, or null (no-op, conf change). */
  void apply(Entry e, Command cmd) {
    if (e.index() != appliedIndex + 1) {
      throw new IllegalStateException("apply " + e.index() + " after " + appliedIndex);
    }
    appliedIndex = e.index();
    chainHash = chain(chainHash, e);
    if (cmd != null && cmd.kind() == Command.PUT) {
      values[cmd.key()] = cmd.value();
      writeIndex[cmd.key()] = e.index();
    }
  }

  byte[] encode() {
    byte[] b = new byte[ENCODED_BYTES];
    Command.putLong(b, 0, appliedIndex);
    Command.putLong(b, 8, chainHash);
    for (int k = 0; k < MAX_KEYS; k++) {
      Command.putLong(b, 16 + 16 * k, values[k]);
      Command.putLong(b, 24 + 16 * k, writeIndex[k]);
    }
    return b;
  }

  /**
   * Restores a state from the data of the snapshot at {@code index}. Empty data is the state
   * of a group that has applied nothing yet: the bootstrap snapshot a group starts from, or the
   * empty storage of a member that joins later; its chain hash is 0 by definition.
   */
  static KvStateMachine decode(byte[] b, long index) {
    KvStateMachine kv = new KvStateMachine();
    if (b.length == 0) {
      kv.appliedIndex = index;
      return kv;
    }
    if (b.length != ENCODED_BYTES) {
      throw new IllegalArgumentException("snapshot data of " + b.length + " bytes");
    }
    kv.appliedIndex = Command.getLong(b, 0);
    kv.chainHash = Command.getLong(b, 8);
    for (int k = 0; k < MAX_KEYS; k++) {
      kv.values[k] = Command.getLong(b, 16 + 16 * k);
      kv.writeIndex[k] = Command.getLong(b, 24 + 16 * k);
    }
    return kv;
  }
}
