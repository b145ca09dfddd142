package io.flotilla.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing and printing of every value type, good input and bad. */
class SettingTypeTest {

  @Test
  void intsParseWithSignsAndDigitGroups() {
    assertEquals(42, SettingType.INT.parse("42"));
    assertEquals(-7, SettingType.INT.parse("-7"));
    assertEquals(7, SettingType.INT.parse("+7"));
    assertEquals(1_000_000, SettingType.INT.parse("1_000_000"));
    assertEquals(Integer.MAX_VALUE, SettingType.INT.parse("2147483647"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ten", "1.5", "0x10", "1__0", "_1", "1 2"})
  void badIntsExpectAnInteger(String text) {
    var e = assertThrows(IllegalArgumentException.class, () -> SettingType.INT.parse(text));
    assertEquals("an integer", e.getMessage());
  }

  @Test
  void intOutOfRangeNamesTheRange() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> SettingType.INT.parse("2147483648"));
    assertEquals("an integer from -2147483648 to 2147483647", e.getMessage());
  }

  @Test
  void longsParseBeyondIntRangeButNotBeyondLong() {
    assertEquals(1L << 40, SettingType.LONG.parse("1099511627776"));
    assertThrows(IllegalArgumentException.class,
        () -> SettingType.LONG.parse("9223372036854775808"));
    assertThrows(IllegalArgumentException.class, () -> SettingType.LONG.parse("12L"));
  }

  @Test
  void booleansAreTrueOrFalseOnly() {
    assertEquals(true, SettingType.BOOLEAN.parse("true"));
    assertEquals(false, SettingType.BOOLEAN.parse("FALSE"));
    for (String bad : new String[] {"yes", "1", "", "ture"}) {
      var e = assertThrows(IllegalArgumentException.class, () -> SettingType.BOOLEAN.parse(bad));
      assertEquals("true or false", e.getMessage());
    }
  }

  @Test
  void stringsAreVerbatim() {
    assertEquals("a = b # c", SettingType.STRING.parse("a = b # c"));
    assertEquals("", SettingType.STRING.parse(""));
  }

  @Test
  void durationsNeedAUnit() {
    assertEquals(Duration.ofMillis(250), SettingType.DURATION.parse("250ms"));
    assertEquals(Duration.ofSeconds(5), SettingType.DURATION.parse("5s"));
    assertEquals(Duration.ofMinutes(5), SettingType.DURATION.parse("5m"));
    assertEquals(Duration.ofHours(2), SettingType.DURATION.parse("2h"));
    assertEquals(Duration.ofDays(1), SettingType.DURATION.parse("1d"));
    assertEquals(Duration.ofNanos(1500), SettingType.DURATION.parse("1500ns"));
    assertEquals(Duration.ofNanos(3000), SettingType.DURATION.parse("3us"));
    assertEquals(Duration.ofSeconds(10), SettingType.DURATION.parse("10 S"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"5", "", "s", "-5s", "1.5s", "5 sec", "5x", "1m30s"})
  void badDurationsSayWhatADurationLooksLike(String text) {
    var e = assertThrows(IllegalArgumentException.class, () -> SettingType.DURATION.parse(text));
    assertTrue(e.getMessage().startsWith(Durations.EXPECTED), e.getMessage());
  }

  @Test
  void durationsTooLongAreRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> SettingType.DURATION.parse("9223372036854775807d"));
  }

  @Test
  void durationsPrintInTheLargestExactUnit() {
    assertEquals("5m", Durations.format(Duration.ofMinutes(5)));
    assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
    assertEquals("250ms", Durations.format(Duration.ofMillis(250)));
    assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
    assertEquals("1d", Durations.format(Duration.ofHours(24)));
    assertEquals("1ns", Durations.format(Duration.ofNanos(1)));
    assertEquals("0s", Durations.format(Duration.ZERO));
    for (String text : new String[] {"7ms", "3h", "1001us", "17s"}) {
      assertEquals(text, Durations.format(Durations.parse(text)));
    }
  }

  @Test
  void byteSizesTakeBinaryUnitsOrPlainBytes() {
    assertEquals(ByteSize.ofMebibytes(64), SettingType.BYTE_SIZE.parse("64MiB"));
    assertEquals(ByteSize.ofGibibytes(1), SettingType.BYTE_SIZE.parse("1GiB"));
    assertEquals(ByteSize.ofKibibytes(512), SettingType.BYTE_SIZE.parse("512KiB"));
    assertEquals(ByteSize.ofBytes(4096), SettingType.BYTE_SIZE.parse("4096"));
    assertEquals(ByteSize.ofBytes(10), SettingType.BYTE_SIZE.parse("10B"));
    assertEquals(ByteSize.ofBytes(2L << 40), SettingType.BYTE_SIZE.parse("2 tib"));
  }

  @Test
  void decimalByteUnitsAreRefusedWithAHint() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> SettingType.BYTE_SIZE.parse("64MB"));
    assertTrue(e.getMessage().startsWith(ByteSize.EXPECTED), e.getMessage());
    assertTrue(e.getMessage().endsWith("'MB' is not one of them (did you mean MiB?)"),
        e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "MiB", "-1", "1.5GiB", "12 bytes", "99999999999TiB",
      "99999999999999999999"})
  void badByteSizesSayWhatASizeLooksLike(String text) {
    var e = assertThrows(IllegalArgumentException.class,
        () -> SettingType.BYTE_SIZE.parse(text));
    assertTrue(e.getMessage().startsWith(ByteSize.EXPECTED), e.getMessage());
  }

  @Test
  void byteSizesPrintInTheLargestExactUnit() {
    assertEquals("64MiB", ByteSize.ofMebibytes(64).toString());
    assertEquals("1536KiB", ByteSize.ofBytes(1536 * 1024).toString());
    assertEquals("100B", ByteSize.ofBytes(100).toString());
    assertEquals("0B", ByteSize.ofBytes(0).toString());
    assertThrows(IllegalArgumentException.class, () -> ByteSize.ofBytes(-1));
  }

  @Test
  void addressesAreHostColonPort() {
    assertEquals(new HostPort("localhost", 26257), SettingType.ADDRESS.parse("localhost:26257"));
    assertEquals(new HostPort("10.0.0.7", 0), SettingType.ADDRESS.parse("10.0.0.7:0"));
    assertEquals(new HostPort("::1", 5432), SettingType.ADDRESS.parse("[::1]:5432"));
    assertEquals("[::1]:5432", new HostPort("::1", 5432).toString());
    assertEquals("db-1.example.com:65535",
        SettingType.ADDRESS.parse("db-1.example.com:65535").toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", ":26257", "localhost:", "host:65536", "host:99999999999",
      "::1:5432", "host:port", "a b:1", "host:-1"})
  void badAddressesSayWhatAnAddressLooksLike(String text) {
    var e = assertThrows(IllegalArgumentException.class, () -> SettingType.ADDRESS.parse(text));
    assertTrue(e.getMessage().startsWith(HostPort.EXPECTED), e.getMessage());
  }

  @Test
  void pathsStayAsWritten() {
    assertEquals(Path.of("/var/lib/flotilla"), SettingType.PATH.parse("/var/lib/flotilla"));
    assertEquals(Path.of("data/node-1"), SettingType.PATH.parse("data/node-1"));
  }

  @Test
  void badPathsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> SettingType.PATH.parse(""));
    var e = assertThrows(IllegalArgumentException.class, () -> SettingType.PATH.parse("a\0b"));
    assertTrue(e.getMessage().startsWith("a file system path"), e.getMessage());
  }

  @Test
  void everyTypeReadsBackWhatItPrints() {
    assertRoundTrip(SettingType.INT, -12);
    assertRoundTrip(SettingType.LONG, Long.MIN_VALUE);
    assertRoundTrip(SettingType.BOOLEAN, true);
    assertRoundTrip(SettingType.STRING, "x y");
    assertRoundTrip(SettingType.DURATION, Duration.ofMillis(1234));
    assertRoundTrip(SettingType.BYTE_SIZE, ByteSize.ofBytes(123457));
    assertRoundTrip(SettingType.ADDRESS, new HostPort("fe80::1%eth0", 1));
    assertRoundTrip(SettingType.PATH, Path.of("/tmp/x"));
  }

  private static <T> void assertRoundTrip(SettingType<T> type, T value) {
    assertEquals(value, type.parse(type.format(value)));
  }
}
