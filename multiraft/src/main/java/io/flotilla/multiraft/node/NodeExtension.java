package io.flotilla.multiraft.node;

import io.flotilla.multiraft.runtime.StoreRuntime;
import io.grpc.BindableService;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A component that modules above {@code multiraft} (the placement driver's timestamp oracle, for
 * one) plug into a {@link Node} without the node depending on them: it is installed while the
 * node is built, before its gRPC server serves and before its runtime starts, and closed when
 * the node closes, before the runtime stops.
 */
@FunctionalInterface
public interface NodeExtension {

  /**
   * Installs this extension on a node being built. Add services here (later is refused).
   *
   * @return what {@link Node#close} calls, once, before it stops the runtime
   */
  AutoCloseable install(Context context);

  /**
   * Whether this extension keeps every range at its replica count (the placement driver does):
   * the node's own stop-gap up-replication then stands down, so the two never race to add
   * replicas.
   */
  default boolean keepsRangesReplicated() {
    return false;
  }

  /** What an extension may use of the node it is installed on. */
  interface Context {
    long nodeId();

    /** The node's store runtime; not started yet while {@link #install} runs. */
    StoreRuntime runtime();

    /** Every node the registry knows, by id, with the address it serves on. */
    java.util.Map<Long, String> addresses();

    /** One line per event worth telling an operator. */
    Consumer<String> log();

    /**
     * Serves {@code service} on the node's port, its calls run on {@code executor}. Only
     * during {@link #install}.
     */
    void addService(BindableService service, Executor executor);

    /**
     * Adds lines to the node's metrics ({@code GET /metrics}): {@code metrics} returns complete
     * Prometheus text (HELP, TYPE and samples), called at every scrape.
     */
    void addMetrics(java.util.function.Supplier<String> metrics);
  }
}
