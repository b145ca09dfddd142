package io.flotilla.kv;

/**
 * A group's persisted vote and commit state.
 *
 * @param term the latest term seen
 * @param vote who was voted for in that term, or 0
 * @param commit the highest index known committed
 */
public record RaftHardState(long term, long vote, long commit) {
  public static final RaftHardState EMPTY = new RaftHardState(0, 0, 0);

  byte[] encode() {
    byte[] b = new byte[24];
    Codec.putLong(b, 0, term);
    Codec.putLong(b, 8, vote);
    Codec.putLong(b, 16, commit);
    return b;
  }

  static RaftHardState decode(byte[] b) {
    if (b.length != 24) {
      throw new IllegalStateException("hard state record has " + b.length + " bytes, not 24");
    }
    return new RaftHardState(Codec.getLong(b, 0), Codec.getLong(b, 8), Codec.getLong(b, 16));
  }
}
