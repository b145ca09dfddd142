package io.flotilla.kv.mvcc;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The order-preserving payload of a decimal (after its tag). A non-zero value is written as
 * {@code ±0.d1d2d3... × 10^E} with {@code d1 != 0} and no trailing zero digit, so numerically
 * equal values (1.0, 1.00) have one encoding:
 * <pre>
 * zero:     0x02
 * positive: 0x03, E as int32 big-endian with the sign bit flipped,
 *           digit pairs as bytes 1 + (10*a + b) (1..100; an odd count pads a 0), then 0x00
 * negative: 0x01, then the positive form's exponent and digit bytes all inverted, then 0xFF
 * </pre>
 * A larger exponent means a larger magnitude because d1 is never 0; at equal exponents the
 * digit bytes compare like the digits, and the terminator (below every digit byte) puts a
 * shorter digit string first. Negative values invert that order. The padding 0 is unambiguous
 * because the digit string never ends in 0.
 */
final class OrderedDecimal {
  private static final int NEGATIVE = 0x01;
  private static final int ZERO = 0x02;
  private static final int POSITIVE = 0x03;

  private OrderedDecimal() {}

  static byte[] encode(BigDecimal value) {
    BigDecimal v = value.stripTrailingZeros();
    if (v.signum() == 0) {
      return new byte[] {ZERO};
    }
    String digits = v.unscaledValue().abs().toString();
    long exponent = (long) digits.length() - v.scale();
    if (exponent != (int) exponent) {
      throw new IllegalArgumentException("decimal exponent " + exponent + " is outside the"
          + " key range of int32");
    }
    int mask = v.signum() < 0 ? 0xFF : 0;
    ByteArrayOutputStream out = new ByteArrayOutputStream(6 + digits.length() / 2);
    out.write(v.signum() < 0 ? NEGATIVE : POSITIVE);
    int e = (int) exponent ^ 0x8000_0000;
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.write(((e >>> shift) & 0xFF) ^ mask);
    }
    for (int i = 0; i < digits.length(); i += 2) {
      int hi = digits.charAt(i) - '0';
      int lo = i + 1 < digits.length() ? digits.charAt(i + 1) - '0' : 0;
      out.write((1 + 10 * hi + lo) ^ mask);
    }
    out.write(mask);
    return out.toByteArray();
  }

  /** Reads the payload at the decoder's position; the decoder applies the direction mask. */
  static BigDecimal decode(KeyDecoder in) {
    int sign = in.u8();
    if (sign == ZERO) {
      return BigDecimal.ZERO;
    }
    if (sign != NEGATIVE && sign != POSITIVE) {
      throw in.corrupt("decimal sign byte " + sign);
    }
    int mask = sign == NEGATIVE ? 0xFF : 0;
    int e = 0;
    for (int i = 0; i < 4; i++) {
      e = (e << 8) | (in.u8() ^ mask);
    }
    long exponent = e ^ 0x8000_0000;
    StringBuilder digits = new StringBuilder();
    for (int b = in.u8() ^ mask; b != 0; b = in.u8() ^ mask) {
      if (b > 100) {
        throw in.corrupt("decimal digit byte " + b);
      }
      digits.append((char) ('0' + (b - 1) / 10)).append((char) ('0' + (b - 1) % 10));
    }
    if (digits.isEmpty() || digits.charAt(0) == '0') {
      throw in.corrupt("decimal without a leading non-zero digit");
    }
    if (digits.charAt(digits.length() - 1) == '0') {
      digits.setLength(digits.length() - 1);
    }
    long scale = digits.length() - exponent;
    if (scale != (int) scale) {
      throw in.corrupt("decimal scale " + scale);
    }
    BigDecimal magnitude = new BigDecimal(new BigInteger(digits.toString()), (int) scale);
    return sign == NEGATIVE ? magnitude.negate() : magnitude;
  }
}
