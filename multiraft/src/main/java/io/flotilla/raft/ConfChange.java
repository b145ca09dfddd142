package io.flotilla.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * A membership change. One voter change (or any learner-only change) is applied directly; more
 * than one voter change goes through joint consensus: the group first enters a joint
 * configuration in which decisions need a majority of both the old and the new voters, and then
 * leaves it. An empty change list leaves a joint configuration.
 *
 * @param changes the individual changes, applied in order
 * @param transition how to use joint consensus
 */
public record ConfChange(List<Change> changes, Transition transition) {
  /** What one change does to one member. */
  public enum ChangeType {
    ADD_VOTER,
    ADD_LEARNER,
    REMOVE
  }

  /** How a change uses joint consensus. */
  public enum Transition {
    /** Simple when possible; otherwise joint, and the leader leaves the joint config itself. */
    AUTO,
    /** Always joint; the leader leaves the joint config itself. */
    JOINT_IMPLICIT,
    /** Always joint; the application proposes {@link #leaveJoint()} when it wants. */
    JOINT_EXPLICIT
  }

  /** One change to one member. */
  public record Change(ChangeType type, long nodeId) {
    @Override
    public String toString() {
      return switch (type) {
        case ADD_VOTER -> "v" + nodeId;
        case ADD_LEARNER -> "l" + nodeId;
        case REMOVE -> "r" + nodeId;
      };
    }
  }

  public ConfChange {
    changes = List.copyOf(changes);
  }

  public static ConfChange of(Change... changes) {
    return new ConfChange(List.of(changes), Transition.AUTO);
  }

  public static ConfChange addVoter(long id) {
    return of(new Change(ChangeType.ADD_VOTER, id));
  }

  public static ConfChange addLearner(long id) {
    return of(new Change(ChangeType.ADD_LEARNER, id));
  }

  public static ConfChange remove(long id) {
    return of(new Change(ChangeType.REMOVE, id));
  }

  public static ConfChange leaveJoint() {
    return new ConfChange(List.of(), Transition.AUTO);
  }

  public boolean isLeaveJoint() {
    return changes.isEmpty();
  }

  /** Whether this change needs a joint configuration, and whether the leader leaves it itself. */
  boolean entersJoint() {
    if (changes.isEmpty()) {
      return false;
    }
    return transition != Transition.AUTO || changes.size() > 1;
  }

  boolean autoLeave() {
    return transition != Transition.JOINT_EXPLICIT;
  }

  /** Encodes as: transition byte, change count (int), then per change a type byte and id. */
  public byte[] encode() {
    byte[] out = new byte[1 + 4 + changes.size() * 9];
    out[0] = (byte) transition.ordinal();
    putInt(out, 1, changes.size());
    int pos = 5;
    for (Change c : changes) {
      out[pos] = (byte) c.type().ordinal();
      putLong(out, pos + 1, c.nodeId());
      pos += 9;
    }
    return out;
  }

  /** Decodes {@link #encode()}'s output; throws IllegalArgumentException on malformed bytes. */
  public static ConfChange decode(byte[] in) {
    if (in.length < 5) {
      throw new IllegalArgumentException("conf change too short: " + in.length + " bytes");
    }
    int transition = in[0];
    int n = getInt(in, 1);
    if (transition < 0 || transition >= Transition.values().length || n < 0
        || in.length != 5 + (long) n * 9) {
      throw new IllegalArgumentException("malformed conf change of " + in.length + " bytes");
    }
    List<Change> changes = new ArrayList<>(n);
    for (int i = 0, pos = 5; i < n; i++, pos += 9) {
      int type = in[pos];
      if (type < 0 || type >= ChangeType.values().length) {
        throw new IllegalArgumentException("unknown conf change type " + type);
      }
      changes.add(new Change(ChangeType.values()[type], getLong(in, pos + 1)));
    }
    return new ConfChange(changes, Transition.values()[transition]);
  }

  private static void putInt(byte[] b, int pos, int v) {
    for (int i = 0; i < 4; i++) {
      b[pos + i] = (byte) (v >>> (24 - 8 * i));
    }
  }

  private static void putLong(byte[] b, int pos, long v) {
    for (int i = 0; i < 8; i++) {
      b[pos + i] = (byte) (v >>> (56 - 8 * i));
    }
  }

  private static int getInt(byte[] b, int pos) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (b[pos + i] & 0xff);
    }
    return v;
  }

  private static long getLong(byte[] b, int pos) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[pos + i] & 0xff);
    }
    return v;
  }

  @Override
  public String toString() {
    return changes.isEmpty() ? "leave-joint" : changes + (transition == Transition.AUTO ? ""
        : " " + transition.name().toLowerCase(java.util.Locale.ROOT));
  }
}
