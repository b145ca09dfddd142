/**
 * The placement simulator: the production scheduler and operators against a simulated
 * cluster of up to 100 stores and 100,000 ranges (no Raft, no disks), driven by scenario files
 * ({@link io.flotilla.placement.sim.ScenarioParser} documents the format). It checks every
 * round that each range keeps a quorum of live voters, records any range that returns to a
 * store it left, and reports rounds to converge and replica moves against a lower bound.
 * Seeded: a seed replays a run exactly. It reads no clock; callers time it.
 */
package io.flotilla.placement.sim;
