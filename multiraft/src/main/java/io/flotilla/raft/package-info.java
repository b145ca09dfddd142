/** The Raft core. */
package io.flotilla.raft;
