package io.flotilla.sim;

/**
 * The state machine's commands, encoded by hand (fixed width, big-endian) so that decoding is
 * trivially deterministic and allocation-light.
 *
 * <p>A put is {@code 'P', client (int), op (long), key (int), value (long)}: 25 bytes. The value
 * equals the op id, so every write's value is unique and a read names the write it saw. A probe
 * (the liveness check's fresh proposal) is {@code 'Q', probe number (long)}.
 *
 * @param kind {@link #PUT} or {@link #PROBE}
 */
record Command(byte kind, int client, long op, int key, long value) {
  static final byte PUT = 'P';
  static final byte PROBE = 'Q';
  private static final int PUT_BYTES = 25;
  private static final int PROBE_BYTES = 9;

  static byte[] put(int client, long op, int key, long value) {
    byte[] b = new byte[PUT_BYTES];
    b[0] = PUT;
    putInt(b, 1, client);
    putLong(b, 5, op);
    putInt(b, 13, key);
    putLong(b, 17, value);
    return b;
  }

  static byte[] probe(long n) {
    byte[] b = new byte[PROBE_BYTES];
    b[0] = PROBE;
    putLong(b, 1, n);
    return b;
  }

  /** Decodes a command, or returns null for bytes that are not one (a harness bug). */
  static Command decode(byte[] b) {
    if (b.length == PUT_BYTES && b[0] == PUT) {
      return new Command(PUT, getInt(b, 1), getLong(b, 5), getInt(b, 13), getLong(b, 17));
    }
    if (b.length == PROBE_BYTES && b[0] == PROBE) {
      return new Command(PROBE, 0, getLong(b, 1), 0, 0);
    }
    return null;
  }

  static void putInt(byte[] b, int pos, int v) {
    for (int i = 0; i < 4; i++) {
      b[pos + i] = (byte) (v >>> (24 - 8 * i));
    }
  }

  static void putLong(byte[] b, int pos, long v) {
    for (int i = 0; i < 8; i++) {
      b[pos + i] = (byte) (v >>> (56 - 8 * i));
    }
  }

  static int getInt(byte[] b, int pos) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (b[pos + i] & 0xff);
    }
    return v;
  }

  static long getLong(byte[] b, int pos) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[pos + i] & 0xff);
    }
    return v;
  }
}
