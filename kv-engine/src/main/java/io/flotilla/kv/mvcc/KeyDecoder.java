package io.flotilla.kv.mvcc;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Decodes what {@link KeyEncoder} wrote, one value at a time. The direction of each value is
 * read from its tag (a descending tag is inverted, so 0x80 or above), so a decoder needs no
 * schema. Malformed input fails with an {@link IllegalArgumentException} that names the offset.
 */
public final class KeyDecoder {
  private final byte[] in;
  private int pos;
  /** 0xFF while decoding a descending value: every byte is read through this mask. */
  private int mask;

  public KeyDecoder(byte[] encoded) {
    this.in = encoded;
  }

  /** Decodes a whole key into its values. */
  public static List<Object> decodeAll(byte[] encoded) {
    KeyDecoder d = new KeyDecoder(encoded);
    List<Object> values = new ArrayList<>();
    while (d.hasNext()) {
      values.add(d.next());
    }
    return values;
  }

  public boolean hasNext() {
    return pos < in.length;
  }

  /** Whether the next value was encoded descending; false at the end of the input. */
  public boolean nextIsDescending() {
    return hasNext() && (in[pos] & 0x80) != 0;
  }

  /** Decodes the next value (null for a SQL null). */
  public Object next() {
    mask = nextIsDescending() ? 0xFF : 0;
    int tag = u8();
    KeyType type = KeyType.ofTag(tag);
    if (type == null) {
      throw corrupt("unknown type tag 0x" + Integer.toHexString(tag));
    }
    Object value = switch (type) {
      case NULL -> null;
      case BOOLEAN -> bool();
      case INT16 -> (short) (fixed(2) ^ 0x8000);
      case INT32 -> (int) (fixed(4) ^ 0x8000_0000L);
      case INT64 -> fixed(8) ^ Long.MIN_VALUE;
      case FLOAT32 -> float32();
      case FLOAT64 -> float64();
      case DECIMAL -> OrderedDecimal.decode(this);
      case STRING -> utf8(escapedBytes());
      case BYTES -> escapedBytes();
      case DATE -> LocalDate.ofEpochDay((int) (fixed(4) ^ 0x8000_0000L));
      case TIMESTAMP -> instant(fixed(8) ^ Long.MIN_VALUE);
      case UUID -> new UUID(fixed(8), fixed(8));
    };
    mask = 0;
    return value;
  }

  /** Reads escaped bytes (see {@link KeyEncoder#escape}) through to their terminator. */
  byte[] escapedBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      int b = u8();
      if (b != 0) {
        out.write(b);
        continue;
      }
      int marker = u8();
      if (marker == 0x01) {
        return out.toByteArray();
      }
      if (marker != 0xFF) {
        throw corrupt("escape 0x00 followed by 0x" + Integer.toHexString(marker));
      }
      out.write(0);
    }
  }

  /** The next byte, unsigned, through the direction mask. */
  int u8() {
    if (pos >= in.length) {
      throw corrupt("truncated key");
    }
    return (in[pos++] ^ mask) & 0xFF;
  }

  IllegalArgumentException corrupt(String what) {
    return new IllegalArgumentException("malformed key at offset " + pos + ": " + what
        + " (key " + MvccKeys.show(in) + ")");
  }

  private long fixed(int bytes) {
    long v = 0;
    for (int i = 0; i < bytes; i++) {
      v = (v << 8) | u8();
    }
    return v;
  }

  private boolean bool() {
    int b = u8();
    if (b > 1) {
      throw corrupt("boolean byte " + b);
    }
    return b == 1;
  }

  private float float32() {
    int bits = (int) fixed(4);
    return Float.intBitsToFloat(bits < 0 ? bits ^ 0x8000_0000 : ~bits);
  }

  private double float64() {
    long bits = fixed(8);
    return Double.longBitsToDouble(bits < 0 ? bits ^ Long.MIN_VALUE : ~bits);
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
        Math.floorMod(micros, 1_000_000L) * 1000);
  }

  private String utf8(byte[] b) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw corrupt("string is not valid UTF-8");
    }
  }
}
