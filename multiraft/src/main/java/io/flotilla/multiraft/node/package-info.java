/**
 * A Flotilla node: the wiring of a store, its runtime, the gRPC transport and the client-facing
 * services on one port ({@link io.flotilla.multiraft.node.Node}), and the membership of nodes.
 *
 * <p>Contract:
 * <ul>
 *   <li><b>Identity.</b> A store belongs to one cluster and is one node for ever (its
 *       {@code StoreIdentity}); a node never serves a store of another cluster, and a
 *       restarted node keeps its id whatever address it listens on.
 *   <li><b>The registry is in the system range.</b> Node id to address, and the node-id
 *       counter, are keys under {@code 0x00} in range 1 ({@link
 *       io.flotilla.multiraft.node.SystemKeys}), written through Raft by the range's leader
 *       only; ids are allocated by compare-and-set, never reused.
 *   <li><b>Addresses.</b> Every node keeps an address book (the transport's {@code
 *       NodeResolver}) from its own replica of the registry, from its peers' books and from
 *       joins, refreshed every {@code cluster.maintenance-interval}; a node that moved is
 *       reached at its new address at the transport's next reconnect.
 *   <li><b>Liveness</b> is "answered a ping within {@code cluster.node-dead-after}": it decides
 *       where replicas go, never whether data is safe.
 *   <li><b>Up-replication</b> ({@link io.flotilla.multiraft.node.UpReplicator}) is a stop-gap
 *       until the placement driver: a range's leader adds live non-members as learners and
 *       promotes them once caught up, up to {@code min(cluster.replication-factor, live nodes)}
 *       voters; it never removes a voter.
 *   <li><b>Threads</b> are few and fixed (listed on {@link io.flotilla.multiraft.node.Node}):
 *       handlers of Kv and NodeAdmin never run on the transport's event loops.
 * </ul>
 */
package io.flotilla.multiraft.node;
