package io.flotilla.multiraft.node;

import io.flotilla.multiraft.proto.NodeInfoPb;
import io.flotilla.multiraft.transport.NodeResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What a node knows of the cluster's nodes: each one's address (from the registry in the system
 * range, from peers' address books, from a join) and when it last answered a ping. It is the
 * transport's {@link NodeResolver}, so an address learnt here is used at the next reconnect.
 *
 * <p>Thread-safe; every method is quick and never blocks.
 */
final class AddressBook implements NodeResolver {
  private final long self;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<Long, String> addresses = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Long> lastHeardNanos = new ConcurrentHashMap<>();

  AddressBook(long self, String selfAddress, LongSupplier nanoClock) {
    this.self = self;
    this.nanoClock = nanoClock;
    addresses.put(self, selfAddress);
  }

  @Override
  public Optional<String> address(long nodeId) {
    return Optional.ofNullable(addresses.get(nodeId));
  }

  long self() {
    return self;
  }

  /**
   * Takes the registry's (or a peer's) view of one node. This node's own entry is never
   * overwritten from outside: a stale registry entry must not redirect its own address.
   */
  void learn(long nodeId, String address) {
    if (nodeId != 0 && nodeId != self && !address.isEmpty()) {
      addresses.put(nodeId, address);
    }
  }

  void learnAll(List<NodeInfoPb> nodes) {
    for (NodeInfoPb n : nodes) {
      learn(n.getNodeId(), n.getAddress());
    }
  }

  /** Node {@code nodeId} answered just now. */
  void heard(long nodeId) {
    lastHeardNanos.put(nodeId, nanoClock.getAsLong());
  }

  /** This node and every node heard from within {@code windowNanos}. */
  Set<Long> live(long windowNanos) {
    long now = nanoClock.getAsLong();
    Set<Long> out = new TreeSet<>();
    out.add(self);
    for (Map.Entry<Long, Long> e : lastHeardNanos.entrySet()) {
      if (now - e.getValue() <= windowNanos && addresses.containsKey(e.getKey())) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /** Every known node and its address, by id. */
  Map<Long, String> snapshot() {
    return new TreeMap<>(addresses);
  }

  List<NodeInfoPb> toProto() {
    List<NodeInfoPb> out = new ArrayList<>();
    snapshot().forEach((id, addr) -> out.add(NodeInfoPb.newBuilder().setNodeId(id)
        .setAddress(addr).build()));
    return out;
  }
}
