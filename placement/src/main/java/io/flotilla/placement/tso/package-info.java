/**
 * The timestamp oracle (TSO): strictly increasing 64-bit timestamps ({@code physical ms << 18 |
 * logical}, see {@link io.flotilla.placement.tso.Timestamps}) handed out in batches by the node
 * that leads the system range.
 *
 * <p>Contract: a timestamp handed out is greater than every timestamp any node handed out
 * before the request arrived, and is never handed out again, across leader changes, restarts
 * and clocks that go backwards. The logic ({@link io.flotilla.placement.tso.TimestampAllocator})
 * has no threads or I/O; it persists a high-water mark through Raft by compare-and-set
 * ({@link io.flotilla.placement.tso.RaftMarkStore}) before serving below it, and confirms by a
 * linearizable read that it still owns the mark before answering.
 * {@link io.flotilla.placement.tso.TimestampOracle} drives it on a node (installed as a
 * {@code NodeExtension}) and serves {@code Tso.GetTimestamps};
 * {@link io.flotilla.placement.tso.TsoClient} is the client.
 */
package io.flotilla.placement.tso;
