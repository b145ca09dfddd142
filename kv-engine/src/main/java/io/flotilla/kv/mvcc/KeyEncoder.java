package io.flotilla.kv.mvcc;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.UUID;

/**
 * Encodes tuples of typed values into byte strings whose unsigned lexicographic order is the
 * order of the tuples (memcomparable). Not thread-safe; one encoder builds one key.
 *
 * <p>Each value is its {@link KeyType} tag byte followed by a payload:
 * <pre>
 * type       tag   payload (ascending)
 * null       0x01  none                          (null sorts before every other value)
 * boolean    0x10  0x00 false, 0x01 true
 * int16      0x20  2 bytes big-endian, sign bit flipped
 * int32      0x21  4 bytes big-endian, sign bit flipped
 * int64      0x22  8 bytes big-endian, sign bit flipped
 * float32    0x30  4 bytes: IEEE bits; negative: all bits inverted, else sign bit flipped
 * float64    0x31  8 bytes, same transform. Order: -inf &lt; negatives &lt; -0.0 &lt; 0.0
 *                  &lt; positives &lt; +inf &lt; NaN (one canonical NaN), as Double.compare
 * decimal    0x40  see {@link OrderedDecimal}: sign class, exponent, base-100 digits, end
 * string     0x50  UTF-8 bytes, escaped as for bytes; orders by code point
 * bytes      0x51  each 0x00 written as 0x00 0xFF, then the terminator 0x00 0x01
 * date       0x60  days since 1970-01-01 as int32 (sign bit flipped)
 * timestamp  0x61  microseconds since the epoch (UTC) as int64 (sign bit flipped)
 * uuid       0x70  16 bytes big-endian (most significant half first): unsigned order
 * </pre>
 * A descending value is the ascending encoding with every byte inverted (tag included). Every
 * encoding is self-delimiting (no encoding is a proper prefix of another), which is what makes
 * both inversion and concatenation order-preserving. Values of different types order by tag.
 * The full specification is {@code docs/key-encoding.md}.
 */
public final class KeyEncoder {
  private byte[] buf = new byte[32];
  private int len;

  /** Encodes {@code values} as one ascending tuple. */
  public static byte[] encode(Object... values) {
    KeyEncoder e = new KeyEncoder();
    for (Object v : values) {
      e.add(v);
    }
    return e.toByteArray();
  }

  /** Appends {@code value} in ascending order. */
  public KeyEncoder add(Object value) {
    return add(value, false);
  }

  /** Appends {@code value} so that larger values sort first. */
  public KeyEncoder addDescending(Object value) {
    return add(value, true);
  }

  public KeyEncoder add(Object value, boolean descending) {
    int start = len;
    KeyType type = KeyType.of(value);
    put(type.tag());
    switch (value) {
      case null -> { }
      case Boolean b -> put(b ? 1 : 0);
      case Short s -> putBigEndian(s ^ 0x8000, 2);
      case Integer i -> putBigEndian(i ^ 0x8000_0000L, 4);
      case Long l -> putBigEndian(l ^ Long.MIN_VALUE, 8);
      case Float f -> putBigEndian(orderedFloatBits(f), 4);
      case Double d -> putBigEndian(orderedDoubleBits(d), 8);
      case BigDecimal d -> putAll(OrderedDecimal.encode(d));
      case String s -> appendEscaped(utf8(s));
      case byte[] b -> appendEscaped(b);
      case LocalDate d -> putBigEndian(epochDay(d) ^ 0x8000_0000L, 4);
      case Instant t -> putBigEndian(epochMicros(t) ^ Long.MIN_VALUE, 8);
      case UUID u -> {
        putBigEndian(u.getMostSignificantBits(), 8);
        putBigEndian(u.getLeastSignificantBits(), 8);
      }
      default -> throw new AssertionError("KeyType.of accepted " + type);
    }
    if (descending) {
      for (int i = start; i < len; i++) {
        buf[i] = (byte) ~buf[i];
      }
    }
    return this;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }

  /**
   * The escaped form of raw bytes without a tag: each 0x00 becomes 0x00 0xFF, then 0x00 0x01.
   * This is how the MVCC layer makes user keys self-delimiting before appending a timestamp.
   */
  static byte[] escape(byte[] raw) {
    KeyEncoder e = new KeyEncoder();
    e.appendEscaped(raw);
    return e.toByteArray();
  }

  private void appendEscaped(byte[] raw) {
    ensure(raw.length + 2);
    for (byte b : raw) {
      put(b);
      if (b == 0) {
        put(0xFF);
      }
    }
    put(0x00);
    put(0x01);
  }

  /** Maps IEEE bits so that unsigned order is Float.compare order (NaN canonical, last). */
  static long orderedFloatBits(float f) {
    int bits = Float.floatToIntBits(f);
    return (bits < 0 ? ~bits : bits ^ 0x8000_0000) & 0xFFFF_FFFFL;
  }

  static long orderedDoubleBits(double d) {
    long bits = Double.doubleToLongBits(d);
    return bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
  }

  private static int epochDay(LocalDate d) {
    long day = d.toEpochDay();
    if (day != (int) day) {
      throw new IllegalArgumentException("date " + d + " is outside the key range of int32"
          + " days since 1970-01-01");
    }
    return (int) day;
  }

  private static long epochMicros(Instant t) {
    if (t.getNano() % 1000 != 0) {
      throw new IllegalArgumentException("timestamp " + t + " has sub-microsecond precision;"
          + " keys store microseconds");
    }
    // Before the epoch, borrow a second first: the earliest representable instant has a
    // positive nano part, and seconds * 10^6 alone would overflow.
    long seconds = t.getEpochSecond();
    long micros = t.getNano() / 1000;
    if (seconds < 0 && micros > 0) {
      seconds++;
      micros -= 1_000_000L;
    }
    try {
      return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), micros);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("timestamp " + t + " is outside the key range of"
          + " int64 microseconds since the epoch");
    }
  }

  /** Strict UTF-8: an unpaired surrogate would not round-trip, so it is refused. */
  private static byte[] utf8(String s) {
    try {
      ByteBuffer bb = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(s));
      return Arrays.copyOfRange(bb.array(), bb.position(), bb.limit());
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("string key value is not valid Unicode (unpaired"
          + " surrogate): " + e.getMessage());
    }
  }

  private void putBigEndian(long v, int bytes) {
    ensure(bytes);
    for (int i = bytes - 1; i >= 0; i--) {
      buf[len++] = (byte) (v >>> (8 * i));
    }
  }

  private void putAll(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  private void put(int b) {
    ensure(1);
    buf[len++] = (byte) b;
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }
}
