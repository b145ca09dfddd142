package io.flotilla.multiraft.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.flotilla.config.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The node's HTTP endpoint (JDK {@code HttpServer}, one daemon thread): {@code GET /metrics}
 * answers in the Prometheus text format; anything else is 404.
 */
final class MetricsServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService thread;

  MetricsServer(HostPort address, long nodeId, Supplier<String> metrics) {
    try {
      server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("node " + nodeId + " cannot serve HTTP on " + address
          + " (set node.http / --http to another address, or off)", e);
    }
    thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "flotilla-http-" + nodeId);
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(thread);
    server.createContext("/", exchange -> {
      try (exchange) {
        if (!exchange.getRequestURI().getPath().equals("/metrics")) {
          send(exchange, 404, "text/plain; charset=utf-8", "not found; try /metrics\n");
        } else if (!exchange.getRequestMethod().equals("GET")
            && !exchange.getRequestMethod().equals("HEAD")) {
          send(exchange, 405, "text/plain; charset=utf-8", "GET only\n");
        } else {
          send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
        }
      } catch (RuntimeException e) {
        // Answered as a broken connection; the next scrape tries again.
      }
    });
    server.start();
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** The port served (the one picked, if port 0 was asked for). */
  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    thread.shutdownNow();
  }
}
