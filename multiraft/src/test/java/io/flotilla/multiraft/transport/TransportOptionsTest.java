package io.flotilla.multiraft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransportOptionsTest {
  @Test
  void aBadValueIsRefusedNamingTheOption() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TransportOptions.DEFAULTS.withQueueLimits(100, 1024));
    assertEquals("transport option maxQueueBytes must be >= maxBatchBytes (4194304), so that any"
        + " sendable envelope can queue, got 1024", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TransportOptions.DEFAULTS.withLivenessTimeout(Duration.ofMillis(5)));
    assertEquals("transport option livenessTimeout must be >= 40ms, got PT0.005S",
        e.getMessage());
  }

  @Test
  void addressesParseWithIpv6AndRefuseNonsense() {
    assertEquals(8080, NodeResolver.parse("[::1]:8080").getPort());
    assertEquals("127.0.0.1", NodeResolver.parse("127.0.0.1:0").getHostString());
    assertThrows(IllegalArgumentException.class, () -> NodeResolver.parse("localhost"));
    assertThrows(IllegalArgumentException.class, () -> NodeResolver.parse("h:99999"));
  }
}
