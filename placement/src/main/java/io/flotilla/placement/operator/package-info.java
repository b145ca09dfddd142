/**
 * Operators: one scheduled change each (move, add or remove a replica, transfer a leader,
 * split, merge), a small state machine over {@link io.flotilla.placement.operator.Step}s that
 * advances only by observing later views, with a timeout per step and a recorded outcome.
 * Whoever drives them (the placement driver through admin RPCs, or the simulator) executes the
 * current step; {@link io.flotilla.placement.operator.OperatorController} owns the running ones.
 */
package io.flotilla.placement.operator;
