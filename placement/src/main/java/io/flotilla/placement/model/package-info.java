/**
 * What the placement driver knows of the cluster: immutable records fed from heartbeats
 * ({@link io.flotilla.placement.model.StoreStats}, {@link io.flotilla.placement.model.RangeStats}),
 * one scheduling pass's {@link io.flotilla.placement.model.ClusterView} of them, and the
 * validated {@link io.flotilla.placement.model.PlacementSettings}. Pure: no threads, clocks or
 * I/O; time is the view's {@code nowMillis}.
 */
package io.flotilla.placement.model;
