package io.flotilla.kv;

/**
 * Where a group's log begins: everything up to and including {@code index} was compacted away
 * (or replaced by a snapshot), and the entry there had {@code term}.
 *
 * @param index the last discarded index (0 for a log never compacted)
 * @param term its term
 * @param membership the group's membership as of {@code index}, opaque to the engine
 */
public record TruncatedState(long index, long term, byte[] membership) {
  public static final TruncatedState EMPTY = new TruncatedState(0, 0, new byte[0]);

  byte[] encode() {
    byte[] b = new byte[16 + membership.length];
    Codec.putLong(b, 0, index);
    Codec.putLong(b, 8, term);
    System.arraycopy(membership, 0, b, 16, membership.length);
    return b;
  }

  static TruncatedState decode(byte[] b) {
    if (b.length < 16) {
      throw new IllegalStateException("truncated-state record has " + b.length + " bytes");
    }
    byte[] m = new byte[b.length - 16];
    System.arraycopy(b, 16, m, 0, m.length);
    return new TruncatedState(Codec.getLong(b, 0), Codec.getLong(b, 8), m);
  }
}
