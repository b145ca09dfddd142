package io.flotilla.multiraft.kv;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The split of the internal keyspace into system keys ({@code 0x00...}) and user keys
 * ({@code 0x01 || userKey}); see the package documentation. Every method copies: callers may
 * keep or change what they pass and what they get.
 */
public final class Keyspace {
  /** The first byte of every system key. */
  public static final byte SYSTEM_PREFIX = 0x00;
  /** The first byte of every user key. */
  public static final byte USER_PREFIX = 0x01;
  /** The id of the range that holds the system keyspace when a cluster starts. */
  public static final long SYSTEM_RANGE_ID = 1;
  /** The id of the range that holds every user key when a cluster starts. */
  public static final long FIRST_USER_RANGE_ID = 2;

  private Keyspace() {}

  /** The first internal user key: the end of the system range and start of the first user one. */
  public static byte[] userStart() {
    return new byte[] {USER_PREFIX};
  }

  /** The exclusive end of the user keyspace: every internal user key sorts below it. */
  public static byte[] userEnd() {
    return new byte[] {USER_PREFIX + 1};
  }

  /** The internal key of a user key. */
  public static byte[] toInternal(byte[] userKey) {
    byte[] k = new byte[userKey.length + 1];
    k[0] = USER_PREFIX;
    System.arraycopy(userKey, 0, k, 1, userKey.length);
    return k;
  }

  /** The user key of an internal user key; refuses a system key. */
  public static byte[] toUser(byte[] internalKey) {
    if (!isUserKey(internalKey)) {
      throw new IllegalArgumentException("not a user key: " + show(internalKey));
    }
    return Arrays.copyOfRange(internalKey, 1, internalKey.length);
  }

  public static boolean isUserKey(byte[] internalKey) {
    return internalKey.length > 0 && internalKey[0] == USER_PREFIX;
  }

  /**
   * An internal key for messages: a user key as quoted text when it is printable ASCII, else in
   * hex; a system key as {@code sys:} and hex.
   */
  public static String show(byte[] internalKey) {
    if (isUserKey(internalKey)) {
      byte[] user = Arrays.copyOfRange(internalKey, 1, internalKey.length);
      return printable(user) ? "'" + new String(user, java.nio.charset.StandardCharsets.US_ASCII)
          + "'" : "0x" + HexFormat.of().formatHex(user);
    }
    return "sys:" + HexFormat.of().formatHex(internalKey);
  }

  private static boolean printable(byte[] b) {
    for (byte c : b) {
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
