package io.flotilla.kv.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.Cf;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotManifestTest {
  private static final SnapshotManifest M = new SnapshotManifest(SnapshotManifest.FORMAT_VERSION,
      -2, new KeySpan(new byte[] {1, 2}, new byte[] {(byte) 0xff}),
      List.of(new SnapshotFile("data-000001.sst", Cf.DATA, 123, 0xdeadbeef),
          new SnapshotFile("write-000001.sst", Cf.WRITE, 0, 7)),
      Fixture.bytes("ctx"));

  @Test
  void encodesAndDecodesEveryField() {
    assertEquals(M, SnapshotManifest.decode(M.encode()));
    SnapshotManifest unbounded = new SnapshotManifest(1, 5, KeySpan.all(), List.of(),
        new byte[0]);
    assertEquals(unbounded, SnapshotManifest.decode(unbounded.encode()));
  }

  @Test
  void everyFlippedByteAndEveryTruncationIsRefused() {
    byte[] raw = M.encode();
    for (int i = 0; i < raw.length; i++) {
      byte[] bad = raw.clone();
      bad[i] ^= 0x01;
      assertThrows(IllegalArgumentException.class, () -> SnapshotManifest.decode(bad),
          "flip at " + i);
      byte[] cut = java.util.Arrays.copyOf(raw, i);
      assertThrows(IllegalArgumentException.class, () -> SnapshotManifest.decode(cut),
          "cut at " + i);
    }
  }

  @Test
  void newerFormatIsRefusedByDecode() {
    SnapshotManifest future = new SnapshotManifest(2, 1, KeySpan.all(), List.of(), new byte[0]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SnapshotManifest.decode(future.encode()));
    assertTrue(e.getMessage().contains("format 2"), e.getMessage());
  }

  @Test
  void fileNamesMustBeSnapshotNamesOfTheirFamily() {
    for (String name : List.of("../data-000001.sst", "data-1.sst", "data-000001.sst/x", "")) {
      assertThrows(IllegalArgumentException.class, () -> new SnapshotFile(name, Cf.DATA, 1, 0));
    }
    assertThrows(IllegalArgumentException.class,
        () -> new SnapshotFile("lock-000001.sst", Cf.DATA, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new SnapshotManifest(1, 1,
        KeySpan.all(), List.of(M.files().get(0), M.files().get(0)), new byte[0]));
  }

  @Test
  void spanBoundsAreCheckedAndCompareUnsigned() {
    KeySpan s = new KeySpan(new byte[] {0x10}, new byte[] {(byte) 0x90});
    assertTrue(s.contains(new byte[] {0x10}));
    assertTrue(s.contains(new byte[] {(byte) 0x80, 0}));
    assertTrue(!s.contains(new byte[] {(byte) 0x90}));
    assertTrue(!s.contains(new byte[] {0x0f, (byte) 0xff}));
    assertThrows(IllegalArgumentException.class,
        () -> new KeySpan(new byte[] {2}, new byte[] {2}));
    assertThrows(IllegalArgumentException.class, () -> new KeySpan(null, null));
  }
}
