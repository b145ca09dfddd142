package io.flotilla.kv.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The versioned lock and write record formats: exact bytes, round trips, and garbage. */
class RecordFormatTest {

  @Test
  void lockRecordBytesAndRoundTrip() {
    Lock lock = new Lock(Mutation.Kind.PUT, new byte[] {'p'}, 5, 3000, new byte[] {'v'});
    byte[] raw = lock.encode();
    assertEquals("01" + "01" + "0000000000000005" + "0000000000000bb8" + "0000000170"
        + "01" + "0000000176", HexFormat.of().formatHex(raw));
    Lock back = Lock.decode(raw);
    assertEquals(Mutation.Kind.PUT, back.kind());
    assertArrayEquals(lock.primary(), back.primary());
    assertEquals(5, back.startTs());
    assertEquals(3000, back.ttlMillis());
    assertArrayEquals(lock.shortValue(), back.shortValue());
    assertNull(Lock.decode(new Lock(Mutation.Kind.LOCK, new byte[0], 1, 0, null).encode())
        .shortValue());
  }

  @Test
  void writeRecordBytesAndRoundTrip() {
    Write w = new Write(Write.Kind.ROLLBACK, 9, null);
    assertEquals("01" + "04" + "0000000000000009" + "00", HexFormat.of().formatHex(w.encode()));
    Write put = Write.decode(new Write(Write.Kind.PUT, 7, new byte[] {1, 2}).encode());
    assertEquals(Write.Kind.PUT, put.kind());
    assertEquals(7, put.startTs());
    assertArrayEquals(new byte[] {1, 2}, put.shortValue());
  }

  @Test
  void everyTruncationAndBadByteIsRefusedNamingTheRecordType() {
    byte[] lock = new Lock(Mutation.Kind.DELETE, new byte[] {'p'}, 5, 3000, null).encode();
    byte[] write = new Write(Write.Kind.PUT, 7, new byte[] {1, 2}).encode();
    for (int len = 0; len < lock.length; len++) {
      byte[] cut = Arrays.copyOf(lock, len);
      var e = assertThrows(CorruptRecordException.class, () -> Lock.decode(cut));
      assertTrue(e.getMessage().startsWith("corrupt lock record: "), e.getMessage());
    }
    for (int len = 0; len < write.length; len++) {
      byte[] cut = Arrays.copyOf(write, len);
      var e = assertThrows(CorruptRecordException.class, () -> Write.decode(cut));
      assertTrue(e.getMessage().startsWith("corrupt write record: "), e.getMessage());
    }
    byte[] longer = Arrays.copyOf(write, write.length + 1);
    assertThrows(CorruptRecordException.class, () -> Write.decode(longer));
    byte[] badKind = write.clone();
    badKind[1] = 5;
    var e = assertThrows(CorruptRecordException.class, () -> Write.decode(badKind));
    assertEquals("corrupt write record: unknown kind 5", e.getMessage());
    byte[] badFlag = write.clone();
    badFlag[10] = 2;
    assertThrows(CorruptRecordException.class, () -> Write.decode(badFlag));
    byte[] hugeLength = lock.clone();
    hugeLength[18] = 0x7f;
    e = assertThrows(CorruptRecordException.class, () -> Lock.decode(hugeLength));
    assertTrue(e.getMessage().contains("length"), e.getMessage());
  }
}
