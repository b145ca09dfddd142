/**
 * The placement driver (issue #5): keeps every range fully replicated, spreads replicas and
 * leaders over the stores, splits what is large or hot, and hands out transaction timestamps.
 * It depends on {@code multiraft} only (docs/ARCHITECTURE.md, module table).
 */
package io.flotilla.placement;
