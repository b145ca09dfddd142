package io.flotilla.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network address as {@code host:port}; IPv6 hosts go in brackets ({@code [::1]:26257}), as in
 * URLs, because their colons would otherwise be ambiguous. Nothing is resolved here: a config
 * file may name a host that is not up yet.
 *
 * @param host a host name or IP literal, without brackets
 * @param port 0 to 65535; 0 asks the OS for any free port
 */
public record HostPort(String host, int port) {
  private static final Pattern BRACKETED = Pattern.compile("\\[([0-9A-Fa-f:.%a-zA-Z]+)]:(\\d+)");
  private static final Pattern PLAIN = Pattern.compile("([A-Za-z0-9._-]+):(\\d+)");

  static final String EXPECTED =
      "an address host:port with a port from 0 to 65535, such as localhost:26257,"
          + " 10.0.0.7:26257 or [::1]:26257";

  public HostPort {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
    }
  }

  /**
   * Parses {@code host:port} or {@code [ipv6]:port}.
   *
   * @throws IllegalArgumentException whose message says what was expected
   */
  public static HostPort parse(String text) {
    String s = text.strip();
    Matcher m = BRACKETED.matcher(s);
    if (!m.matches()) {
      m = PLAIN.matcher(s);
    }
    if (!m.matches()) {
      throw new IllegalArgumentException(EXPECTED);
    }
    String digits = m.group(2);
    // At most five digits keeps parseInt from overflowing on absurd input.
    int port = digits.length() <= 5 ? Integer.parseInt(digits) : -1;
    if (port > 65535 || port < 0) {
      throw new IllegalArgumentException(EXPECTED + " (port " + digits + " is out of range)");
    }
    return new HostPort(m.group(1), port);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
