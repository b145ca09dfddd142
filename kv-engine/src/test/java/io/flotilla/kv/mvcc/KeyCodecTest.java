package io.flotilla.kv.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The byte format of docs/key-encoding.md, byte for byte, and the refusals. */
class KeyCodecTest {

  private static String hex(Object... values) {
    return HexFormat.of().formatHex(KeyEncoder.encode(values));
  }

  @Test
  void documentedExamples() {
    assertEquals("01", hex((Object) null));
    assertEquals("1001", hex(true));
    assertEquals("20807f", hex((short) 127));
    assertEquals("2180000001", hex(1));
    assertEquals("217fffffff", hex(-1));
    assertEquals("228000000000000000", hex(0L));
    assertEquals("30bf800000", hex(1.0f));
    assertEquals("30407fffff", hex(-1.0f));
    assertEquals("317fffffffffffffff", hex(-0.0));
    assertEquals("318000000000000000", hex(0.0));
    assertEquals("31fff8000000000000", hex(Double.NaN));
    assertEquals("4002", hex(BigDecimal.ZERO));
    assertEquals("4003800000010b00", hex(new BigDecimal("1.00")));
    assertEquals("40037fffffff0d00", hex(new BigDecimal("0.012")));
    assertEquals("40037fffffff0d2300", hex(new BigDecimal("0.01234")));
    assertEquals("40017ffffffef4ff", hex(new BigDecimal("-1")));
    assertEquals("5061620001", hex("ab"));
    assertEquals("5100ff610001", hex(new byte[] {0, 'a'}));
    assertEquals("6080000001", hex(LocalDate.of(1970, 1, 2)));
    assertEquals("61800000000000000f", hex(Instant.ofEpochSecond(0, 15_000)));
    assertEquals("70" + "00000000000000010000000000000002", hex(new UUID(1, 2)));
    assertEquals("21800000015061620001", hex(1, "ab"));
  }

  @Test
  void descendingInvertsEveryByte() {
    byte[] asc = new KeyEncoder().add("ab").toByteArray();
    byte[] desc = new KeyEncoder().addDescending("ab").toByteArray();
    for (int i = 0; i < asc.length; i++) {
      assertEquals((byte) ~asc[i], desc[i]);
    }
    assertEquals("ab", new KeyDecoder(desc).next());
  }

  @Test
  void equalDecimalsShareOneEncoding() {
    assertArrayEquals(KeyEncoder.encode(new BigDecimal("1.0")),
        KeyEncoder.encode(new BigDecimal("1.00")));
    assertArrayEquals(KeyEncoder.encode(new BigDecimal("100")),
        KeyEncoder.encode(new BigDecimal("1E+2")));
    assertArrayEquals(KeyEncoder.encode(new BigDecimal("0.000")),
        KeyEncoder.encode(BigDecimal.ZERO));
  }

  @Test
  void floatOrderMatchesDoubleCompare() {
    double[] ordered = {Double.NEGATIVE_INFINITY, -Double.MAX_VALUE, -1, -Double.MIN_VALUE, -0.0,
        0.0, Double.MIN_VALUE, 1, Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NaN};
    for (int i = 1; i < ordered.length; i++) {
      assertTrue(Arrays.compareUnsigned(KeyEncoder.encode(ordered[i - 1]),
          KeyEncoder.encode(ordered[i])) < 0, ordered[i - 1] + " < " + ordered[i]);
    }
    // Every NaN bit pattern is one NaN.
    assertArrayEquals(KeyEncoder.encode(Double.NaN),
        KeyEncoder.encode(Double.longBitsToDouble(0xfff0_0000_0000_0001L)));
  }

  @Test
  void refusesValuesWithoutAnExactEncoding() {
    assertThrows(IllegalArgumentException.class, () -> KeyEncoder.encode(new Object()));
    assertThrows(IllegalArgumentException.class, () -> KeyEncoder.encode("\uD800"));
    assertThrows(IllegalArgumentException.class,
        () -> KeyEncoder.encode(Instant.ofEpochSecond(0, 1)));
    assertThrows(IllegalArgumentException.class, () -> KeyEncoder.encode(Instant.MAX));
    assertThrows(IllegalArgumentException.class, () -> KeyEncoder.encode(LocalDate.MAX));
    var e = assertThrows(IllegalArgumentException.class,
        () -> KeyEncoder.encode(new BigDecimal("1E+2147483647")));
    assertTrue(e.getMessage().contains("exponent"), e.getMessage());
  }

  @Test
  void malformedKeysFailNamingTheOffset() {
    String[] bad = {"02", "21800000", "5061", "506100", "5061007f", "51", "1002",
        "40037fffffff", "4003800000010b", "4003800000016500", "400380000001010b00", "4004",
        "50ff0001"};
    for (String b : bad) {
      var e = assertThrows(IllegalArgumentException.class,
          () -> KeyDecoder.decodeAll(HexFormat.of().parseHex(b)), b);
      assertTrue(e.getMessage().startsWith("malformed key at offset"), e.getMessage());
    }
  }
}
