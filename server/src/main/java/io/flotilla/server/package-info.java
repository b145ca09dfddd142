/**
 * The {@code flotilla} command: a dispatcher ({@link io.flotilla.server.Main}) over small
 * {@link io.flotilla.server.Command}s, and (later) the wiring of a node.
 *
 * <p>The contract of every command: {@code --help} prints its usage and exits 0; a bad
 * argument prints a message naming that argument and exits 2 without running anything; a run
 * that fails exits 1. Commands write to the streams they are given, never to
 * {@code System.out} directly, so tests can read what they print.
 */
package io.flotilla.server;
