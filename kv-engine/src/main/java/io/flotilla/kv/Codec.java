package io.flotilla.kv;

/** Big-endian fixed-width integers, the building block of every key and record here. */
final class Codec {
  private Codec() {}

  static void putLong(byte[] b, int pos, long v) {
    for (int i = 0; i < 8; i++) {
      b[pos + i] = (byte) (v >>> (56 - 8 * i));
    }
  }

  static long getLong(byte[] b, int pos) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[pos + i] & 0xff);
    }
    return v;
  }

  static void putInt(byte[] b, int pos, int v) {
    for (int i = 0; i < 4; i++) {
      b[pos + i] = (byte) (v >>> (24 - 8 * i));
    }
  }

  static int getInt(byte[] b, int pos) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (b[pos + i] & 0xff);
    }
    return v;
  }
}
