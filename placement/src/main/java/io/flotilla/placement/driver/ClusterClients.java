package io.flotilla.placement.driver;

import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.TxnClient;
import io.flotilla.multiraft.proto.LockInfoPb;
import io.flotilla.placement.tso.TsoClient;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The clients the driver's GC needs, made at first use over the nodes this node knows then:
 * the TSO's, and a transaction client to resolve abandoned locks.
 */
final class ClusterClients implements AutoCloseable {
  private final Supplier<Map<Long, String>> addresses;
  private KvClient kv;
  private TsoClient tso;
  private TxnClient txns;

  ClusterClients(Supplier<Map<Long, String>> addresses) {
    this.addresses = addresses;
  }

  long timestamp() {
    return connected().tso.getTimestamp();
  }

  void resolve(LockInfoPb lock) {
    connected().txns.resolveLock(lock);
  }

  private synchronized ClusterClients connected() {
    if (tso == null) {
      List<String> known = List.copyOf(addresses.get().values());
      if (known.isEmpty()) {
        throw new IllegalStateException("this node knows no node of its cluster yet");
      }
      kv = new KvClient(known);
      tso = new TsoClient(known);
      txns = new TxnClient(kv, tso::getTimestamp);
    }
    return this;
  }

  @Override
  public synchronized void close() {
    if (tso != null) {
      txns.close();
      tso.close();
      kv.close();
    }
  }
}
