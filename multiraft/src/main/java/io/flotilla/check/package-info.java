/**
 * A linearizability checker for client histories recorded by the simulator and by tests, with
 * ready-made key-value and register models.
 */
package io.flotilla.check;
