package io.flotilla.sim;

/**
 * 64-bit hashing for the replay hash and entry identity. Collisions would only hide a
 * difference, never invent one, and at 2^-64 per comparison they do not matter here.
 */
final class Hashing {
  private Hashing() {}

  /** Folds {@code v} into {@code h} (a SplitMix64 finalizer over the combination). */
  static long mix(long h, long v) {
    long z = h * 0x9E3779B97F4A7C15L + v;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** FNV-1a over the bytes, finished with {@link #mix} so short inputs spread well. */
  static long bytes(byte[] data) {
    long h = 0xcbf29ce484222325L;
    for (byte b : data) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(h, data.length);
  }
}
