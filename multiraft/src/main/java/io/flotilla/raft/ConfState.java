package io.flotilla.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The membership a log position is governed by.
 *
 * @param voters the incoming voters (the only voters outside a joint configuration)
 * @param votersOutgoing the outgoing voters while in a joint configuration, else empty
 * @param learners non-voting members
 * @param learnersNext voters of the outgoing config that become learners when the joint
 *     configuration is left
 * @param autoLeave whether the leader proposes leaving the joint configuration by itself
 */
public record ConfState(
    Set<Long> voters,
    Set<Long> votersOutgoing,
    Set<Long> learners,
    Set<Long> learnersNext,
    boolean autoLeave) {
  public static final ConfState EMPTY = new ConfState(Set.of(), Set.of(), Set.of(), Set.of(), false);

  public ConfState {
    voters = Set.copyOf(voters);
    votersOutgoing = Set.copyOf(votersOutgoing);
    learners = Set.copyOf(learners);
    learnersNext = Set.copyOf(learnersNext);
  }

  public static ConfState ofVoters(Long... ids) {
    return new ConfState(Set.of(ids), Set.of(), Set.of(), Set.of(), false);
  }

  public boolean isJoint() {
    return !votersOutgoing.isEmpty();
  }

  /**
   * Encodes as: a format byte (1), the auto-leave flag, then each of the four sets as a count
   * (int) followed by its ids (longs), all big-endian, ids ascending.
   */
  public byte[] encode() {
    int n = voters.size() + votersOutgoing.size() + learners.size() + learnersNext.size();
    byte[] out = new byte[2 + 4 * 4 + n * 8];
    out[0] = 1;
    out[1] = (byte) (autoLeave ? 1 : 0);
    int pos = 2;
    for (Set<Long> set : List.of(voters, votersOutgoing, learners, learnersNext)) {
      pos = putInt(out, pos, set.size());
      for (long id : new java.util.TreeSet<>(set)) {
        for (int i = 0; i < 8; i++) {
          out[pos++] = (byte) (id >>> (56 - 8 * i));
        }
      }
    }
    return out;
  }

  /** Decodes {@link #encode()}'s output; throws IllegalArgumentException on malformed bytes. */
  public static ConfState decode(byte[] in) {
    if (in.length < 18 || in[0] != 1) {
      throw new IllegalArgumentException("malformed conf state of " + in.length + " bytes");
    }
    List<Set<Long>> sets = new ArrayList<>(4);
    int pos = 2;
    for (int s = 0; s < 4; s++) {
      int count = getInt(in, pos);
      pos += 4;
      if (count < 0 || pos + (long) count * 8 > in.length) {
        throw new IllegalArgumentException("malformed conf state of " + in.length + " bytes");
      }
      Set<Long> set = new java.util.TreeSet<>();
      for (int k = 0; k < count; k++) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
          v = (v << 8) | (in[pos++] & 0xff);
        }
        set.add(v);
      }
      sets.add(set);
    }
    if (pos != in.length) {
      throw new IllegalArgumentException("conf state has " + (in.length - pos)
          + " trailing bytes");
    }
    return new ConfState(sets.get(0), sets.get(1), sets.get(2), sets.get(3), in[1] == 1);
  }

  private static int putInt(byte[] b, int pos, int v) {
    for (int i = 0; i < 4; i++) {
      b[pos + i] = (byte) (v >>> (24 - 8 * i));
    }
    return pos + 4;
  }

  private static int getInt(byte[] b, int pos) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (b[pos + i] & 0xff);
    }
    return v;
  }
}
