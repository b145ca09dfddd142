package io.flotilla.multiraft.node;

import java.util.Map;

/**
 * Prometheus text (format 0.0.4) for a node extension's metrics ({@link
 * NodeExtension.Context#addMetrics}): one HELP and TYPE per metric, then its samples.
 */
public final class PrometheusText {
  private final StringBuilder out = new StringBuilder(512);

  /** Integers only: the values here (timestamps among them) are exact, never rounded. */
  public PrometheusText gauge(String name, String help, long value) {
    head(name, help, "gauge");
    out.append(name).append(' ').append(value).append('\n');
    return this;
  }

  public PrometheusText counter(String name, String help, long value) {
    head(name, help, "counter");
    out.append(name).append(' ').append(value).append('\n');
    return this;
  }

  /** A counter with one label, a sample per value of the label. */
  public PrometheusText counter(String name, String help, String label,
      Map<String, Long> values) {
    head(name, help, "counter");
    values.forEach((v, n) -> out.append(name).append('{').append(label).append("=\"")
        .append(v).append("\"} ").append(n).append('\n'));
    return this;
  }

  private void head(String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
