/**
 * Data-driven scenario tests of the Raft core, modelled on etcd-io/raft's {@code testdata/*.txt}
 * interaction tests.
 *
 * <p>Each file under {@code src/test/resources/testdata} is a script of commands, each followed
 * by {@code ----} and the output it must produce; the expected output is the assertion. The
 * pieces are kept apart so each stays small: {@link io.flotilla.raft.scenario.DataFile} parses
 * and rewrites files, {@link io.flotilla.raft.scenario.Command} tokenizes one command line,
 * {@link io.flotilla.raft.scenario.Commands} maps command names onto
 * {@link io.flotilla.raft.scenario.ScenarioEnv} (the members, their storage and the
 * hand-driven network), {@link io.flotilla.raft.scenario.Fmt} renders what happened, and
 * {@link io.flotilla.raft.scenario.ScenarioTest} runs every file (or rewrites it with
 * {@code -Drewrite=true}).
 */
package io.flotilla.raft.scenario;
