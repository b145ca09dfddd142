/**
 * The store runtime that hosts many Raft groups on one node. Today: the bridge between the Raft
 * core and the kv-engine ({@link io.flotilla.multiraft.EngineRaftStorage}); the runtime,
 * transport and ranges follow.
 */
package io.flotilla.multiraft;
