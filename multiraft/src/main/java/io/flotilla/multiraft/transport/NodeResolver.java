package io.flotilla.multiraft.transport;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Where a node listens. The transport asks again before every connection attempt, so an address
 * that changes (a node restarted elsewhere) or becomes known later (a node that just joined) is
 * picked up by the next reconnect without telling the transport anything.
 */
@FunctionalInterface
public interface NodeResolver {
  /**
   * The node's {@code host:port} ({@code [v6-address]:port} for IPv6), or empty while unknown.
   * Called on the transport's timer thread; must be quick and must not block on the network.
   */
  Optional<String> address(long nodeId);

  /**
   * Parses {@code host:port}. A host name is resolved here (blocking), so pass IP addresses
   * where resolution could be slow.
   *
   * @throws IllegalArgumentException if the text is not {@code host:port} with a port in
   *     [0, 65535]
   */
  static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("address '" + hostPort + "' is not host:port");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("address '" + hostPort + "' has no numeric port");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("address '" + hostPort + "' has port " + port
          + " outside [0, 65535]");
    }
    return new InetSocketAddress(host, port);
  }
}
