/** JMH benchmarks. */
package io.flotilla.bench;
