package io.flotilla.multiraft.transport;

import io.netty.channel.EventLoopGroup;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every {@link Peer} of one transport shares: identity, limits, and the transport's few
 * threads (the Netty event loops carry all connections; the timer reconnects and pings).
 */
record PeerContext(long nodeId, long clusterId, TransportOptions options, NodeResolver resolver,
    EventLoopGroup eventLoops, ScheduledExecutorService timer, Counters counters,
    Transport.Handler handler) {}
