package io.flotilla.kv.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The key codec against the naive oracle of {@link KeyValues}: byte order is value order, for
 * each type, both directions, mixed types and tuples; decoding is exact; encodings are
 * prefix-free. Seeds are fixed so that a failure replays; change one to explore further.
 */
class KeyCodecProperties {

  @Property(tries = 5000, seed = "20261101")
  void byteOrderIsValueOrderWithinEachType(@ForAll("sameTypePairs") List<Object> pair,
      @ForAll boolean descending) {
    assertSameOrder(pair.get(0), pair.get(1), descending);
  }

  @Property(tries = 3000, seed = "20261102")
  void byteOrderIsValueOrderAcrossTypes(@ForAll("values") Object a, @ForAll("values") Object b,
      @ForAll boolean descending) {
    assertSameOrder(a, b, descending);
  }

  @Property(tries = 5000, seed = "20261103")
  void decodeReturnsTheEncodedValue(@ForAll("values") Object v, @ForAll boolean descending) {
    byte[] encoded = new KeyEncoder().add(v, descending).toByteArray();
    KeyDecoder d = new KeyDecoder(encoded);
    assertEquals(descending, d.nextIsDescending());
    Object decoded = d.next();
    assertFalse(d.hasNext(), "decoder stopped early");
    assertEquals(KeyType.of(v), KeyType.of(decoded));
    assertEquals(0, KeyValues.compare(v, decoded), () -> v + " decoded as " + decoded);
    if (v instanceof BigDecimal dec) {
      // Exact in value; the scale is normalized so that 1.0 and 1.00 share one key.
      assertEquals(dec.stripTrailingZeros(), decoded);
    }
  }

  @Property(tries = 5000, seed = "20261104")
  void noEncodingIsAProperPrefixOfAnother(@ForAll("sameTypePairs") List<Object> pair,
      @ForAll boolean descending) {
    byte[] a = new KeyEncoder().add(pair.get(0), descending).toByteArray();
    byte[] b = new KeyEncoder().add(pair.get(1), descending).toByteArray();
    if (a.length < b.length) {
      assertFalse(Arrays.equals(a, 0, a.length, b, 0, a.length),
          () -> "encoding of " + pair.get(0) + " is a prefix of that of " + pair.get(1));
    } else if (b.length < a.length) {
      assertFalse(Arrays.equals(b, 0, b.length, a, 0, b.length),
          () -> "encoding of " + pair.get(1) + " is a prefix of that of " + pair.get(0));
    }
  }

  @Property(tries = 3000, seed = "20261105")
  void tuplesOrderLexicographically(@ForAll("tuplePairs") List<List<Object>> pair,
      @ForAll("directions") boolean[] desc) {
    List<Object> a = pair.get(0);
    List<Object> b = pair.get(1);
    int expected = Integer.signum(KeyValues.compareTuples(a, b, desc));
    int actual = Integer.signum(
        Arrays.compareUnsigned(KeyValues.encode(a, desc), KeyValues.encode(b, desc)));
    assertEquals(expected, actual, () -> a + " vs " + b + " desc " + Arrays.toString(desc));
    List<Object> decoded = KeyDecoder.decodeAll(KeyValues.encode(a, desc));
    assertEquals(0, KeyValues.compareTuples(a, decoded, desc), () -> a + " -> " + decoded);
  }

  @Property(tries = 3000, seed = "20261106")
  void sharedPrefixThenSuffixOrdersBySuffix(@ForAll("values") Object a,
      @ForAll("sameTypePairs") List<Object> bc, @ForAll boolean descending) {
    byte[] ab = new KeyEncoder().add(a).add(bc.get(0), descending).toByteArray();
    byte[] ac = new KeyEncoder().add(a).add(bc.get(1), descending).toByteArray();
    int expected = Integer.signum(KeyValues.compare(bc.get(0), bc.get(1)));
    assertEquals(descending ? -expected : expected,
        Integer.signum(Arrays.compareUnsigned(ab, ac)));
  }

  @Property(tries = 3000, seed = "20261107")
  void escapedUserKeysKeepOrderAndRoundTrip(@ForAll("byteStrings") byte[] a,
      @ForAll("byteStrings") byte[] b) {
    byte[] ea = MvccKeys.encodeUserKey(a);
    byte[] eb = MvccKeys.encodeUserKey(b);
    assertEquals(Integer.signum(Arrays.compareUnsigned(a, b)),
        Integer.signum(Arrays.compareUnsigned(ea, eb)));
    // A version suffix never changes the order of distinct keys: the escaping is prefix-free.
    if (!Arrays.equals(a, b)) {
      assertEquals(Integer.signum(Arrays.compareUnsigned(a, b)), Integer.signum(
          Arrays.compareUnsigned(MvccKeys.version(ea, 1), MvccKeys.version(eb, Long.MAX_VALUE))));
    }
    assertEquals(Arrays.toString(a), Arrays.toString(MvccKeys.decodeUserKey(ea)));
  }

  private static void assertSameOrder(Object a, Object b, boolean descending) {
    int expected = Integer.signum(KeyValues.compare(a, b));
    byte[] ea = new KeyEncoder().add(a, descending).toByteArray();
    byte[] eb = new KeyEncoder().add(b, descending).toByteArray();
    int actual = Integer.signum(Arrays.compareUnsigned(ea, eb));
    assertEquals(descending ? -expected : expected, actual,
        () -> show(a) + " vs " + show(b) + (descending ? " (descending)" : ""));
  }

  private static String show(Object v) {
    return v instanceof byte[] b ? Arrays.toString(b) : v + " (" + KeyType.of(v) + ")";
  }

  @Provide
  Arbitrary<Object> values() {
    return KeyValues.anyValue();
  }

  @Provide
  Arbitrary<List<Object>> sameTypePairs() {
    return KeyValues.sameTypePair();
  }

  @Provide
  Arbitrary<byte[]> byteStrings() {
    return KeyValues.bytes();
  }

  @Provide
  Arbitrary<boolean[]> directions() {
    return Arbitraries.of(false, true).list().ofSize(4).map(l -> {
      boolean[] d = new boolean[l.size()];
      for (int i = 0; i < d.length; i++) {
        d[i] = l.get(i);
      }
      return d;
    });
  }

  /**
   * Two tuples of up to 4 columns. Columns of one tuple pair often share a type and a prefix,
   * because tuples that differ in their first value exercise little.
   */
  @Provide
  Arbitrary<List<List<Object>>> tuplePairs() {
    Arbitrary<List<Object>> tuple = KeyValues.anyValue().list().ofMaxSize(4);
    Arbitrary<List<List<Object>>> independent = tuple.list().ofSize(2);
    Arbitrary<List<List<Object>>> sharedPrefix = Combinators.combine(
        KeyValues.anyValue().list().ofMaxSize(3), KeyValues.sameTypePair(),
        Arbitraries.integers().between(0, 1))
        .as((prefix, tails, cut) -> {
          List<Object> a = new java.util.ArrayList<>(prefix);
          List<Object> b = new java.util.ArrayList<>(prefix);
          a.add(tails.get(0));
          if (cut == 0) {
            b.add(tails.get(1));
          }
          return List.of(a, b);
        });
    return Arbitraries.oneOf(independent, sharedPrefix);
  }
}
