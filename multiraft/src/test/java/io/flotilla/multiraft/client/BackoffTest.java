package io.flotilla.multiraft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void delaysDoubleUpToTheCapWithHalfOfEachJittered() {
    Backoff b = new Backoff(10, 100, new SplittableRandom(1));
    long[] caps = {10, 20, 40, 80, 100, 100, 100};
    for (long cap : caps) {
      long d = b.nextDelayMillis();
      assertTrue(d >= cap / 2 && d <= cap, d + " not in [" + cap / 2 + ", " + cap + "]");
    }
  }

  @Test
  void aSeedReplaysTheJitter() {
    List<Long> first = new ArrayList<>();
    List<Long> second = new ArrayList<>();
    Backoff a = new Backoff(10, 1000, new SplittableRandom(42));
    Backoff b = new Backoff(10, 1000, new SplittableRandom(42));
    for (int i = 0; i < 10; i++) {
      first.add(a.nextDelayMillis());
      second.add(b.nextDelayMillis());
    }
    assertEquals(first, second);
  }

  @Test
  void optionsAreValidatedOnceAndNameTheBadValue() {
    KvClientOptions ok = KvClientOptions.defaults();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ok.withTotalTimeout(Duration.ZERO));
    assertTrue(e.getMessage().contains("totalTimeout PT0S"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new NodeDirectory(List.of()));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> new NodeDirectory(List.of("127.0.0.1:7000", "nohost")));
    assertEquals("bad node address 'nohost': expected HOST:PORT with a port from 1 to 65535",
        bad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NodeDirectory.parse("h:0"));
    assertEquals(new NodeDirectory.HostPort("::1", 7), NodeDirectory.parse("[::1]:7"));
  }
}
