package io.flotilla.multiraft.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.raft.ConfState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The meta records' keys and the order in which records replace each other. */
class RangeMetaTest {
  private static byte[] k(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  @Test
  void recordKeysSortAsEndKeysWithTheUnboundedEndLast() {
    List<byte[]> ends = List.of(k(0x00, 'n'), k(0x01), k(0x01, 'a'), k(0x01, 'a', 0x00),
        k(0x01, 'b'), k(0x01, 0xff, 0xff));
    for (int i = 0; i + 1 < ends.size(); i++) {
      assertTrue(Arrays.compareUnsigned(RangeMeta.key(ends.get(i)),
          RangeMeta.key(ends.get(i + 1))) < 0, "record keys of ends " + i + " and " + (i + 1));
    }
    byte[] unbounded = RangeMeta.key(new byte[0]);
    for (byte[] end : ends) {
      assertTrue(Arrays.compareUnsigned(RangeMeta.key(end), unbounded) < 0);
    }
    assertTrue(Arrays.compareUnsigned(unbounded, RangeMeta.PREFIX_END) < 0);
    assertTrue(Arrays.compareUnsigned(RangeMeta.key(k(0x00)), RangeMeta.PREFIX) > 0);
    assertTrue(Arrays.compareUnsigned(RangeMeta.PREFIX, k(0x01)) < 0,
        "the records lie in the system range");
  }

  @Test
  void aLookupStartsAtTheFirstRangeEndingAfterTheKey() {
    byte[] key = k(0x01, 'g');
    // A range ending at the key itself does not hold it; one ending just after it does.
    assertTrue(Arrays.compareUnsigned(RangeMeta.key(key), RangeMeta.lookupStart(key)) < 0);
    assertEquals(0, Arrays.compareUnsigned(RangeMeta.key(k(0x01, 'g', 0x00)),
        RangeMeta.lookupStart(key)));
    assertTrue(Arrays.compareUnsigned(RangeMeta.key(k(0x01, 'h')),
        RangeMeta.lookupStart(key)) > 0);
    assertTrue(Arrays.compareUnsigned(RangeMeta.key(new byte[0]),
        RangeMeta.lookupStart(key)) > 0);
  }

  @Test
  void recordsAreOrderedByGenerationThenMembersThenTerm() {
    RangeDescriptor d = new RangeDescriptor(7, k(0x01), k(0x01, 'm'), 3, ConfState.ofVoters(1L),
        12);
    RangeMetaPb base = RangeMeta.record(d, 1, 5);
    assertTrue(RangeMeta.supersedes(base, null));
    assertFalse(RangeMeta.supersedes(base, base), "an equal record is not written again");
    RangeMetaPb newerTerm = RangeMeta.record(d, 2, 6);
    RangeMetaPb newerMembers = RangeMeta.record(d.withMembers(ConfState.ofVoters(1L, 2L), 20),
        1, 4);
    RangeMetaPb newerGeneration = RangeMeta.record(new RangeDescriptor(9, k(0x01, 'c'),
        k(0x01, 'm'), 4, ConfState.ofVoters(1L)), 1, 1);
    assertTrue(RangeMeta.supersedes(newerTerm, base));
    assertTrue(RangeMeta.supersedes(newerMembers, newerTerm), "members outrank terms");
    assertTrue(RangeMeta.supersedes(newerGeneration, newerMembers), "generations outrank all");
    assertFalse(RangeMeta.supersedes(base, newerTerm));
    assertFalse(RangeMeta.supersedes(newerMembers, newerGeneration));
  }

  @Test
  void updatesAppliedInAnyOrderEndAtTheNewest() {
    // One end key's history: splits, membership changes and leader changes, oldest first.
    List<RangeMetaPb> history = new ArrayList<>();
    long term = 1;
    for (int gen = 0; gen < 4; gen++) {
      for (int change = 0; change < 3; change++) {
        RangeDescriptor d = new RangeDescriptor(100 + gen, k(0x01, 'a' + gen), k(0x01, 'z'),
            gen, ConfState.ofVoters(1L), change == 0 ? 0 : 10L * change);
        history.add(RangeMeta.record(d, 1 + change % 3, term++));
      }
    }
    RangeMetaPb newest = history.get(history.size() - 1);
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      List<RangeMetaPb> updates = new ArrayList<>(history);
      updates.addAll(history.subList(0, random.nextInt(history.size()))); // duplicates
      Collections.shuffle(updates, random);
      RangeMetaPb stored = null;
      for (RangeMetaPb u : updates) {
        if (RangeMeta.supersedes(u, stored)) {
          stored = u;
        }
      }
      assertEquals(newest, stored, "round " + round);
    }
  }

  @Test
  void aValueThatIsNoRecordIsRefusedNamingItsKey() {
    byte[] key = RangeMeta.key(k(0x01, 'q'));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> RangeMeta.decode(key, k(0xff, 0xff, 0xff)));
    assertTrue(e.getMessage().contains("meta record at "
        + java.util.HexFormat.of().formatHex(key)), e.getMessage());
  }
}
