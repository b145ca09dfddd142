package io.flotilla.multiraft.kv;

import io.flotilla.multiraft.proto.JoinRequest;
import io.flotilla.multiraft.proto.JoinResponse;
import io.flotilla.multiraft.proto.NodesResponse;

/**
 * The membership of nodes in the cluster (not of ranges), which the node layer owns and the
 * {@code Kv} service only exposes. Implementations answer quickly (they are called on gRPC
 * threads) and report refusals in the response's {@code error}; an exception they throw is
 * turned into an {@code UNAVAILABLE} (or, for an {@link IllegalArgumentException},
 * {@code INVALID}) error by {@link KvService}.
 */
public interface ClusterMembership {
  /** Admits a new node (or re-admits a restarted one) and tells it its id and the nodes. */
  JoinResponse join(JoinRequest request);

  /** The cluster's id and every node's id and client address, for clients' address books. */
  NodesResponse nodes();
}
