package io.flotilla.kv;

/**
 * Keys of the raft column families. A group's log entries are contiguous in RAFT_LOG
 * ({@code groupId || index}, both big-endian), so a suffix or prefix of one group's log is one
 * range delete; its state records in RAFT_STATE are {@code groupId || tag}.
 */
final class RaftKeys {
  static final byte HARD_STATE = 'h';
  static final byte TRUNCATED = 't';

  private RaftKeys() {}

  static byte[] entry(long groupId, long index) {
    byte[] k = new byte[16];
    Codec.putLong(k, 0, groupId);
    Codec.putLong(k, 8, index);
    return k;
  }

  static long groupOf(byte[] entryKey) {
    return Codec.getLong(entryKey, 0);
  }

  static long indexOf(byte[] entryKey) {
    return Codec.getLong(entryKey, 8);
  }

  static byte[] state(long groupId, byte tag) {
    byte[] k = new byte[9];
    Codec.putLong(k, 0, groupId);
    k[8] = tag;
    return k;
  }
}
