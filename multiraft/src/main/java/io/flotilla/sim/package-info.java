/**
 * A deterministic simulation of one Raft group (3 or 5 initial voters, plus spare members that
 * membership changes may add) driven through the public {@link io.flotilla.raft.RaftNode} API,
 * in the manner of FoundationDB's simulator and Kafka's {@code RaftEventSimulationTest}.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>One run ({@link io.flotilla.sim.Simulation}) is single-threaded and takes every random
 *       choice from one generator seeded by {@link io.flotilla.sim.SimOptions#seed()}; time is
 *       virtual ({@link io.flotilla.sim.Scheduler}). The same options replay the same run event
 *       for event, on any machine, whatever the thread count of the
 *       {@link io.flotilla.sim.SimulationRunner} that runs many seeds side by side.
 *   <li>Nothing here iterates a hash-ordered collection in a way that affects behaviour
 *       (membership sets from the core are sorted before use), and nothing reads the clock
 *       except the runner's elapsed-time report.
 *   <li>Faults: message loss, delay, duplication and reordering, symmetric and one-way
 *       partitions, crashes that lose everything not persisted (including crashes in the middle
 *       of handling a {@code Ready}), snapshots with log compaction, membership changes (simple
 *       and joint) and leadership transfers. All of them stop for the last part of the run, in
 *       which liveness is demanded.
 *   <li>Invariants ({@link io.flotilla.sim.Invariants}, {@link io.flotilla.sim.History}) are
 *       checked after every event; the first violation stops the run and is reported with the
 *       seed, the invariant, and the last events of the trace.
 * </ul>
 */
package io.flotilla.sim;
