package io.flotilla.multiraft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.raft.ConfState;
import org.junit.jupiter.api.Test;

class RangeCacheTest {
  private static final ConfState VOTERS = ConfState.ofVoters(1L, 2L, 3L);

  private static byte[] k(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static RangeDescriptor range(long id, String start, String end, long gen) {
    return new RangeDescriptor(id, k(start), k(end), gen, VOTERS);
  }

  @Test
  void findsTheRangeHoldingAKeyOrNothing() {
    RangeCache c = new RangeCache(100);
    c.put(range(1, "b", "m", 0), 2);
    assertNull(c.find(k("a")));
    assertEquals(1, c.find(k("b")).rangeId());
    assertEquals(2, c.find(k("l")).leader());
    assertNull(c.find(k("m")), "a gap in the cache is a miss, not the range before it");
    c.put(range(2, "m", "", 0), 0);
    assertEquals(2, c.find(k("zzz")).rangeId());
  }

  @Test
  void aNewerGenerationReplacesWhatItOverlapsAndAnOlderOneIsIgnored() {
    RangeCache c = new RangeCache(100);
    c.put(range(2, "a", "", 0), 1);
    // The split's halves, learned one at a time.
    assertTrue(c.put(range(2, "a", "m", 1), 1));
    assertNull(c.find(k("q")), "the old whole range is gone");
    assertTrue(c.put(range(7, "m", "", 1), 3));
    assertEquals(7, c.find(k("q")).rangeId());
    // A lagging node's pre-split descriptor must not undo that.
    assertFalse(c.put(range(2, "a", "", 0), 2));
    assertEquals(7, c.find(k("q")).rangeId());
    assertEquals(1, c.find(k("b")).leader());
  }

  @Test
  void leadersAreUpdatedOnlyOnTheRangeAsCached() {
    RangeCache c = new RangeCache(100);
    c.put(range(2, "a", "", 0), 1);
    CachedRange seen = c.find(k("x"));
    c.setLeader(seen, 3);
    assertEquals(3, c.find(k("x")).leader());
    c.put(range(2, "a", "m", 1), 0);
    c.setLeader(seen, 1);
    assertEquals(0, c.find(k("b")).leader(), "a stale view does not touch the new descriptor");
    c.invalidate(range(2, "a", "m", 1));
    assertNull(c.find(k("b")));
  }

  @Test
  void theCacheIsBounded() {
    RangeCache c = new RangeCache(10);
    for (int i = 0; i < 100; i++) {
      c.put(range(i + 1, "k%03d".formatted(i), "k%03d".formatted(i + 1), 0), 0);
    }
    assertTrue(c.size() <= 10, "size " + c.size());
  }
}
