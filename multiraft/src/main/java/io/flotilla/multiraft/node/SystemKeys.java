package io.flotilla.multiraft.node;

import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.raft.ConfState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The node's keys in the system keyspace ({@link Keyspace}: user keys are stored as
 * {@code 0x01 || key}, keys that start with {@code 0x00} are the system's, held by range 1; a
 * new cluster starts with range 1 = ["", [0x01]) and range 2 = [[0x01], end)).
 *
 * <p>The node registry lives there:
 * <ul>
 *   <li>{@code 0x00 "node/" id(8 bytes BE)} → the node's address ({@code host:port}, UTF-8);
 *   <li>{@code 0x00 "node-id-counter"} → the last node id handed out (8 bytes BE), advanced by
 *       compare-and-set only.
 * </ul>
 */
public final class SystemKeys {
  static final long SYSTEM_RANGE_ID = Keyspace.SYSTEM_RANGE_ID;

  static final byte[] NODE_PREFIX = system("node/");
  /** The end of the registry's span: '0' follows '/'. */
  static final byte[] NODE_PREFIX_END = system("node0");
  static final byte[] NODE_ID_COUNTER = system("node-id-counter");

  private SystemKeys() {}

  private static byte[] system(String name) {
    byte[] s = name.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[s.length + 1];
    System.arraycopy(s, 0, out, 1, s.length);
    return out;
  }

  /** The key of node {@code id}'s registry entry. */
  static byte[] nodeKey(long id) {
    return ByteBuffer.allocate(NODE_PREFIX.length + 8).put(NODE_PREFIX).putLong(id).array();
  }

  /** The node id of a registry key, or 0 if the key is not one. */
  static long nodeIdOf(byte[] key) {
    if (key.length != NODE_PREFIX.length + 8
        || !Arrays.equals(key, 0, NODE_PREFIX.length, NODE_PREFIX, 0, NODE_PREFIX.length)) {
      return 0;
    }
    return ByteBuffer.wrap(key, NODE_PREFIX.length, 8).getLong();
  }

  static byte[] encodeLong(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  static long decodeLong(byte[] b) {
    if (b.length != 8) {
      throw new IllegalStateException("system value of " + b.length + " bytes, expected 8");
    }
    return ByteBuffer.wrap(b).getLong();
  }

  /** The two ranges a new cluster starts with, node {@code first} their only voter. */
  static RangeDescriptor[] initialRanges(long first) {
    byte[] userStart = Keyspace.userStart();
    return new RangeDescriptor[] {
        new RangeDescriptor(SYSTEM_RANGE_ID, new byte[0], userStart, 0, ConfState.ofVoters(first)),
        new RangeDescriptor(Keyspace.FIRST_USER_RANGE_ID, userStart, new byte[0], 0,
            ConfState.ofVoters(first)),
    };
  }

  /**
   * A stored key as people read it: a user key without its prefix, quoted when printable
   * ({@code "g"}), else in hex ({@code 0x00ff}); the empty key is {@code ""}.
   */
  public static String display(byte[] stored) {
    if (stored.length == 0) {
      return "\"\"";
    }
    if (stored[0] == Keyspace.USER_PREFIX) {
      byte[] user = Arrays.copyOfRange(stored, 1, stored.length);
      boolean printable = true;
      for (byte b : user) {
        printable &= b >= 0x20 && b < 0x7f && b != '"';
      }
      if (printable) {
        return "\"" + new String(user, StandardCharsets.US_ASCII) + "\"";
      }
    }
    return "0x" + HexFormat.of().formatHex(stored);
  }

  /** A range's span as people read it, e.g. {@code ["g", "n")} or {@code [system)}. */
  public static String displaySpan(byte[] start, byte[] end) {
    if (start.length == 0 && Arrays.equals(end, Keyspace.userStart())) {
      return "[system keyspace]";
    }
    String from = Arrays.equals(start, Keyspace.userStart()) ? "-inf" : display(start);
    String to = end.length == 0 ? "+inf" : display(end);
    return "[" + from + ", " + to + ")";
  }
}
