package io.flotilla.kv.mvcc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators of key values of every {@link KeyType}, biased towards the cases an encoding gets
 * wrong (zero bytes, shared prefixes, signs, -0.0, NaN, trailing decimal zeros), and the naive
 * oracle of their natural order that the encoding must agree with.
 */
final class KeyValues {
  private KeyValues() {}

  static Arbitrary<Object> anyValue() {
    return Arbitraries.of(KeyType.values()).flatMap(KeyValues::of);
  }

  /** Two values of one random type: most pairs of {@link #anyValue} differ in type. */
  static Arbitrary<List<Object>> sameTypePair() {
    return Arbitraries.of(KeyType.values()).flatMap(t -> of(t).list().ofSize(2));
  }

  static Arbitrary<Object> of(KeyType type) {
    return switch (type) {
      case NULL -> Arbitraries.just(null);
      case BOOLEAN -> Arbitraries.of(false, true).map(b -> b);
      case INT16 -> Arbitraries.shorts().map(v -> v);
      case INT32 -> Arbitraries.integers().map(v -> v);
      case INT64 -> Arbitraries.longs().map(v -> v);
      case FLOAT32 -> Arbitraries.oneOf(
          Arbitraries.integers().map(Float::intBitsToFloat),
          Arbitraries.of(Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0.0f, 0.0f,
              Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f))
          .map(v -> v);
      case FLOAT64 -> Arbitraries.oneOf(
          Arbitraries.longs().map(Double::longBitsToDouble),
          Arbitraries.integers().between(-1000, 1000).map(i -> i / 8.0),
          Arbitraries.of(Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, -0.0,
              0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE))
          .map(v -> v);
      case DECIMAL -> decimals().map(v -> v);
      case STRING -> strings().map(v -> v);
      case BYTES -> bytes().map(v -> v);
      case DATE -> Arbitraries.oneOf(Arbitraries.integers(),
          Arbitraries.integers().between(-800_000, 3_000_000))
          .map(d -> LocalDate.ofEpochDay(d));
      case TIMESTAMP -> Arbitraries.oneOf(Arbitraries.longs(),
          Arbitraries.longs().between(-2_000_000_000_000_000L, 5_000_000_000_000_000L))
          .map(m -> Instant.ofEpochSecond(Math.floorDiv(m, 1_000_000L),
              Math.floorMod(m, 1_000_000L) * 1000));
      case UUID -> Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
          .as(UUID::new).map(u -> u);
    };
  }

  /** Decimals over a wide exponent range, with trailing zeros and shared leading digits. */
  static Arbitrary<BigDecimal> decimals() {
    Arbitrary<BigInteger> unscaled = Arbitraries.oneOf(
        Arbitraries.bigIntegers().between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40)),
        Arbitraries.of(0L, 1L, -1L, 10L, 100L, 105L, 1005L, -10L, 99L, 101L)
            .map(BigInteger::valueOf));
    Arbitrary<Integer> scale = Arbitraries.oneOf(Arbitraries.integers().between(-8, 8),
        Arbitraries.integers().between(-400, 400),
        Arbitraries.of(Integer.MIN_VALUE + 50, Integer.MAX_VALUE - 50));
    return Combinators.combine(unscaled, scale).as(BigDecimal::new);
  }

  /** Valid Unicode strings, often over a tiny alphabet so that prefixes and ties are common. */
  static Arbitrary<String> strings() {
    Arbitrary<Integer> anyCodePoint = Arbitraries.integers().between(0, 0x10FFFF)
        .filter(c -> c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE);
    Arbitrary<Integer> tricky = Arbitraries.of(0, 1, (int) 'a', (int) 'b', 0x7F, 0xFF, 0x800,
        0xFFFF, 0xE000, 0x10000, 0x10FFFF);
    return Arbitraries.oneOf(anyCodePoint, tricky).list().ofMaxSize(8)
        .map(cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0,
            cps.size()));
  }

  /** Byte strings, often over {0x00, 0x01, 0xFF}: the bytes the escaping is about. */
  static Arbitrary<byte[]> bytes() {
    Arbitrary<Byte> tricky = Arbitraries.of((byte) 0, (byte) 1, (byte) 0xFF, (byte) 0xFE);
    return Arbitraries.oneOf(Arbitraries.bytes(), tricky).list().ofMaxSize(12).map(l -> {
      byte[] b = new byte[l.size()];
      for (int i = 0; i < b.length; i++) {
        b[i] = l.get(i);
      }
      return b;
    });
  }

  /**
   * The natural order, written naively: by type (tag order), then within the type. Strings
   * compare by code point, UUIDs as unsigned 128-bit numbers, decimals numerically, floats as
   * {@code Double.compare} (-0.0 before 0.0, NaN last).
   */
  static int compare(Object a, Object b) {
    KeyType ta = KeyType.of(a);
    KeyType tb = KeyType.of(b);
    if (ta != tb) {
      return Integer.compare(ta.tag(), tb.tag());
    }
    return switch (a) {
      case null -> 0;
      case Boolean x -> Boolean.compare(x, (Boolean) b);
      case Short x -> Short.compare(x, (Short) b);
      case Integer x -> Integer.compare(x, (Integer) b);
      case Long x -> Long.compare(x, (Long) b);
      case Float x -> Float.compare(x, (Float) b);
      case Double x -> Double.compare(x, (Double) b);
      case BigDecimal x -> x.compareTo((BigDecimal) b);
      case String x ->
          Arrays.compare(x.codePoints().toArray(), ((String) b).codePoints().toArray());
      case byte[] x -> Arrays.compareUnsigned(x, (byte[]) b);
      case LocalDate x -> x.compareTo((LocalDate) b);
      case Instant x -> x.compareTo((Instant) b);
      case UUID x -> {
        int c = Long.compareUnsigned(x.getMostSignificantBits(),
            ((UUID) b).getMostSignificantBits());
        yield c != 0 ? c : Long.compareUnsigned(x.getLeastSignificantBits(),
            ((UUID) b).getLeastSignificantBits());
      }
      default -> throw new AssertionError("unexpected " + a.getClass());
    };
  }

  /** Lexicographic tuple order; a proper prefix sorts first; {@code desc[i]} flips column i. */
  static int compareTuples(List<Object> a, List<Object> b, boolean[] desc) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = compare(a.get(i), b.get(i));
      if (c != 0) {
        return desc[i] ? -c : c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  static byte[] encode(List<Object> tuple, boolean[] desc) {
    KeyEncoder e = new KeyEncoder();
    for (int i = 0; i < tuple.size(); i++) {
      e.add(tuple.get(i), desc[i]);
    }
    return e.toByteArray();
  }
}
