/**
 * The Java client of the KV API: {@link io.flotilla.multiraft.client.KvClient}.
 *
 * <p>It speaks user keys; it stores them under the user prefix of the internal keyspace
 * ({@link io.flotilla.multiraft.kv.Keyspace}) and strips the prefix from what it returns. It
 * finds a key's range in a bounded range cache (Caffeine), sends to the range's last known
 * leader, and follows {@code NOT_LEADER} hints, refreshes stale descriptors and backs off with
 * jitter, within a bounded number of attempts and a total time budget.
 *
 * <h2>What a failure means</h2>
 * <ul>
 *   <li>{@link io.flotilla.multiraft.client.KvException}: the operation certainly did not take
 *       effect (every attempt was refused, never reached a node, or the request is invalid).
 *   <li>{@link io.flotilla.multiraft.client.AmbiguousResultException}: a write may or may not
 *       have taken effect (the server answered {@code AMBIGUOUS}, or the connection failed or
 *       timed out after the request may have been sent). The client never retries such a write:
 *       doing so could apply it twice or after a later write, so a history checker must record
 *       it as unknown. Reads are never ambiguous; they are simply retried.
 * </ul>
 * The two exception types share no supertype below {@link java.lang.RuntimeException}, so that
 * no {@code catch} meant for the first swallows the second.
 */
package io.flotilla.multiraft.client;
