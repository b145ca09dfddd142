package io.flotilla.raft;

/** Small byte helpers shared by the core's codecs and debug output. */
final class Bytes {
  private Bytes() {}

  /** Renders bytes as text when they are printable ASCII, else as hex; for logs and tests. */
  static String printable(byte[] data) {
    boolean text = true;
    for (byte b : data) {
      if (b < 0x20 || b > 0x7e) {
        text = false;
        break;
      }
    }
    if (text) {
      char[] chars = new char[data.length];
      for (int i = 0; i < data.length; i++) {
        chars[i] = (char) data[i];
      }
      return new String(chars);
    }
    StringBuilder sb = new StringBuilder("0x");
    for (byte b : data) {
      sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return sb.toString();
  }
}
