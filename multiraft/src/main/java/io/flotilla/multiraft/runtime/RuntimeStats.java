package io.flotilla.multiraft.runtime;

/**
 * Counters of a store runtime since it started.
 *
 * @param cycles loop cycles that did work
 * @param walBatches WAL batches committed (one per cycle with something to persist)
 * @param proposals commands proposed by this node's leaders
 * @param applied entries applied
 * @param ticks replica ticks delivered (quiescent replicas are not ticked)
 * @param quiesced replicas that went quiet
 * @param woken quiet replicas woken again
 * @param elections campaigns started by this node's replicas
 */
public record RuntimeStats(long cycles, long walBatches, long proposals, long applied,
    long ticks, long quiesced, long woken, long elections) {}
