/**
 * Scheduling: independent units ({@link io.flotilla.placement.scheduler.PlacementScheduler})
 * that turn a {@link io.flotilla.placement.model.ClusterView} into operators with reasons,
 * under the limits of one {@link io.flotilla.placement.scheduler.Admission} per pass, run in
 * priority order by {@link io.flotilla.placement.scheduler.Scheduler}. Hysteresis comes from
 * tolerance bands ({@link io.flotilla.placement.scheduler.Band}), moves that never overshoot,
 * and a cooldown before a range may return to a store it left.
 */
package io.flotilla.placement.scheduler;
