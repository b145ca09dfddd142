package io.flotilla.multiraft.runtime;

/**
 * Counters of a store runtime since it started.
 *
 * @param cycles loop cycles that did work
 * @param walBatches WAL batches committed (one per cycle with something to persist)
 * @param proposals commands (writes, splits, ...) proposed by this node's leaders
 * @param entries log entries those took: writes that reach a range in one cycle share one
 * @param applied entries applied
 * @param ticks replica ticks delivered (quiescent replicas are not ticked)
 * @param quiesced replicas that went quiet
 * @param woken quiet replicas woken again
 * @param elections campaigns started by this node's replicas
 * @param compactions range logs truncated
 * @param snapshotsInstalled range snapshots installed from another node
 * @param onePhaseCommits one-phase transaction commits this node's leaders proposed
 * @param onePhaseRefused one-phase commits they refused (the client then commits in two
 *     phases): a leader not yet synced with the TSO, or a read above the commit timestamp
 */
public record RuntimeStats(long cycles, long walBatches, long proposals, long entries,
    long applied, long ticks, long quiesced, long woken, long elections, long compactions,
    long snapshotsInstalled, long onePhaseCommits, long onePhaseRefused) {}
