package io.flotilla.multiraft.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.config.Config;
import io.flotilla.config.ConfigException;
import io.flotilla.config.HostPort;
import io.flotilla.config.SettingsRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Node settings: defaults, overrides, the derived HTTP address, and errors naming the key. */
class NodeConfigTest {
  private static final SettingsRegistry REGISTRY = SettingsRegistry.of(NodeSettings.all());

  private static NodeConfig load(String... sets) {
    return NodeConfig.from(Config.loader(REGISTRY).environment(Map.of())
        .overrides(List.of(sets)).load());
  }

  @Test
  void flagsBecomeTypedValues() {
    NodeConfig c = load("node.store=/tmp/s", "node.listen=127.0.0.1:7401",
        "node.join=127.0.0.1:7402, 127.0.0.1:7403", "raft.tick-interval=50ms");
    assertEquals(Path.of("/tmp/s"), c.store());
    assertEquals(List.of(new HostPort("127.0.0.1", 7402), new HostPort("127.0.0.1", 7403)),
        c.join());
    assertEquals(50, c.runtime().tickMillis());
    assertEquals(Duration.ofSeconds(1), c.maintenanceInterval());
  }

  @Test
  void httpIsTheListenPortPlusAThousandUnlessSetOrOff() {
    assertEquals(Optional.of(new HostPort("127.0.0.1", 8401)),
        load("node.store=s", "node.listen=127.0.0.1:7401").http());
    assertEquals(Optional.empty(), load("node.store=s", "node.http=off").http());
    assertEquals(Optional.of(new HostPort("0.0.0.0", 9000)),
        load("node.store=s", "node.http=0.0.0.0:9000").http());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> load("node.store=s", "node.listen=127.0.0.1:65000"));
    assertTrue(e.getMessage().contains("'node.http'"), e.getMessage());
  }

  @Test
  void badValuesNameTheirKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> load("node.join=nowhere", "node.http=sometimes"));
    assertTrue(e.getMessage().contains("'node.join'"), e.getMessage());
    assertTrue(e.getMessage().contains("'node.http'"), e.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> load());
    assertTrue(missing.getMessage().contains("'node.store' (--store DIR) is required"),
        missing.getMessage());
    IllegalArgumentException wildcard = assertThrows(IllegalArgumentException.class,
        () -> load("node.store=s", "node.listen=0.0.0.0:7400"));
    assertTrue(wildcard.getMessage().contains("node.advertise"), wildcard.getMessage());
  }
}
