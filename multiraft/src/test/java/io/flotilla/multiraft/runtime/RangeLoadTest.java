package io.flotilla.multiraft.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RangeLoadTest {
  private static byte[] key(int i) {
    return String.format("k%05d", i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void countsReadsWritesAndBytes() {
    RangeLoad load = new RangeLoad(7);
    load.read(key(1));
    load.write(key(2), 100);
    load.write(key(3), 50);
    RangeLoad.Counts c = load.counts(new byte[0]);
    assertEquals(1, c.reads());
    assertEquals(2, c.writes());
    assertEquals(150, c.writeBytes());
    assertNull(c.splitKey(), "three requests say nothing about where the load sits");
  }

  @Test
  void theSplitKeyDividesTheLoadNotTheKeyspace() {
    RangeLoad load = new RangeLoad(7);
    // Nine requests in ten go to keys 0..99, one in ten to 100..9999: the load's middle lies
    // among the first hundred keys, far from the keyspace's middle (5000).
    java.util.SplittableRandom r = new java.util.SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) {
      load.write(key(r.nextInt(10) < 9 ? r.nextInt(100) : 100 + r.nextInt(9900)), 10);
    }
    byte[] split = load.counts(new byte[0]).splitKey();
    assertTrue(Arrays.compareUnsigned(split, key(20)) > 0
        && Arrays.compareUnsigned(split, key(100)) < 0, new String(split));
  }

  @Test
  void theSplitKeyFollowsTheLoadAsItMoves() {
    RangeLoad load = new RangeLoad(7);
    for (int i = 0; i < 3 * RangeLoad.WINDOW; i++) {
      load.read(key(i % 100));
    }
    for (int i = 0; i < 2 * RangeLoad.WINDOW; i++) {
      load.read(key(5000 + i % 100));
    }
    byte[] split = load.counts(new byte[0]).splitKey();
    assertTrue(Arrays.compareUnsigned(split, key(5000)) >= 0, new String(split));
  }

  @Test
  void neverTheRangesOwnStart() {
    RangeLoad load = new RangeLoad(7);
    for (int i = 0; i < 1000; i++) {
      load.write(key(5), 1);
    }
    assertNull(load.counts(key(5)).splitKey(), "all load on the first key cannot be divided");
    assertArrayEquals(key(5), load.counts(key(0)).splitKey());
  }
}
