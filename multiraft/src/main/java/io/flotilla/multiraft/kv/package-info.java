/**
 * The client-facing KV API of a node: {@link io.flotilla.multiraft.kv.KvService} serves the
 * {@code Kv} gRPC service ({@code kv.proto}) on top of the node's
 * {@link io.flotilla.multiraft.runtime.StoreRuntime}.
 *
 * <h2>Keyspace</h2>
 * User keys are arbitrary bytes, the empty key included. Internally every user key is stored
 * as {@code 0x01 || userKey}; keys that start with {@code 0x00} form the system keyspace (node
 * registry, range meta, later placement state). A cluster starts with two ranges: range 1 =
 * {@code ["", [0x01])} (system) and range 2 = {@code [[0x01], end)} (all user keys). The client
 * adds and strips the prefix ({@link io.flotilla.multiraft.kv.Keyspace}); the server never sees
 * an unprefixed user key and does not interpret keys at all: it serves whatever range the
 * request names.
 *
 * <h2>Errors</h2>
 * An RPC never fails with a gRPC status of its own making: every refusal is a {@code KvError}
 * in the response, and its code tells the client whether a retry is safe.
 * <ul>
 *   <li>{@code NOT_LEADER} (with the leader's node id when known, and the replica's
 *       descriptor), {@code KEY_OUTSIDE_RANGE} (with the current descriptor),
 *       {@code RANGE_NOT_FOUND}, {@code PROPOSAL_DROPPED}, {@code UNAVAILABLE}: nothing was
 *       applied; retry (elsewhere, after refreshing the range cache, or after a backoff).
 *   <li>{@code AMBIGUOUS}: a write was proposed and no outcome came back in time (or the
 *       outcome was lost to an unexpected failure): it may still apply. Never retry it blindly.
 *   <li>{@code INVALID}: the request itself was refused (a key or value over the store's
 *       limits); retrying will not help.
 * </ul>
 * Reads have no effect, so a read that times out is {@code UNAVAILABLE}, never ambiguous.
 *
 * <h2>Threads</h2>
 * Handlers never block: they hand the request to the runtime's raft thread and answer from a
 * small responder pool when the runtime's future completes (or a server-side timeout fires),
 * so the raft thread never serializes responses.
 */
package io.flotilla.multiraft.kv;
