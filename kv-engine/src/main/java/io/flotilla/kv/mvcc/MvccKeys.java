package io.flotilla.kv.mvcc;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The store-side layout of MVCC keys (TiKV's). A user key is escaped to be self-delimiting
 * ({@link KeyEncoder#escape}: 0x00 becomes 0x00 0xFF, then 0x00 0x01), which is the key of its
 * lock in the LOCK family. A version appends the bitwise-inverted timestamp, big-endian, so
 * that newer versions of a key sort first:
 * <pre>
 * LOCK  cf: escape(userKey)                 -&gt; {@link Lock}
 * WRITE cf: escape(userKey) ++ ~commitTs    -&gt; {@link Write}
 * DATA  cf: escape(userKey) ++ ~startTs     -&gt; value bytes
 * </pre>
 * Because escaped keys are prefix-free and order-preserving, all versions of a key sit together
 * and a user-key range [a, b) is the store-key range [escape(a), escape(b)).
 */
public final class MvccKeys {
  static final int TS_BYTES = 8;

  private MvccKeys() {}

  /** The escaped form of {@code userKey}: its LOCK key, and the prefix of its versions. */
  public static byte[] encodeUserKey(byte[] userKey) {
    return KeyEncoder.escape(userKey);
  }

  /** Inverse of {@link #encodeUserKey}; reads only the escaped part of {@code encoded}. */
  public static byte[] decodeUserKey(byte[] encoded) {
    return new KeyDecoder(encoded).escapedBytes();
  }

  /** The key of the version of {@code encodedKey} at timestamp {@code ts}. */
  static byte[] version(byte[] encodedKey, long ts) {
    byte[] k = Arrays.copyOf(encodedKey, encodedKey.length + TS_BYTES);
    long inverted = ~ts;
    for (int i = 0; i < TS_BYTES; i++) {
      k[encodedKey.length + i] = (byte) (inverted >>> (56 - 8 * i));
    }
    return k;
  }

  /**
   * A key after every version of {@code encodedKey} and before the next user key: timestamps
   * are at least 1, so no version carries the all-ones suffix of timestamp 0.
   */
  static byte[] afterAllVersions(byte[] encodedKey) {
    return version(encodedKey, 0);
  }

  /** The timestamp of a version key. */
  static long timestamp(byte[] versionKey) {
    long inverted = 0;
    for (int i = versionKey.length - TS_BYTES; i < versionKey.length; i++) {
      inverted = (inverted << 8) | (versionKey[i] & 0xFF);
    }
    return ~inverted;
  }

  /** The escaped user key of a version key. */
  static byte[] userPart(byte[] versionKey) {
    return Arrays.copyOf(versionKey, versionKey.length - TS_BYTES);
  }

  /** Whether {@code versionKey} is a version of {@code encodedKey}. */
  static boolean isVersionOf(byte[] versionKey, byte[] encodedKey) {
    return versionKey.length == encodedKey.length + TS_BYTES
        && Arrays.equals(versionKey, 0, encodedKey.length, encodedKey, 0, encodedKey.length);
  }

  /** A key for messages: hex, cut after 64 bytes. */
  static String show(byte[] key) {
    return HexFormat.of().formatHex(key, 0, Math.min(key.length, 64))
        + (key.length > 64 ? "...(" + key.length + " bytes)" : "");
  }
}
