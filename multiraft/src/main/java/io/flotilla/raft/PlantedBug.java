package io.flotilla.raft;

/**
 * Classic Raft bugs the core can be told to commit, so that tests can show the simulation
 * catches each of them. Only tests set these; with none set the core is correct.
 */
public enum PlantedBug {
  /** Commit an entry of an earlier term once a majority holds it (Raft paper, figure 8). */
  COMMIT_PREVIOUS_TERM_BY_COUNTING,
  /** Grant (pre-)votes without checking that the candidate's log is at least as up to date. */
  VOTE_WITHOUT_LOG_CHECK,
  /** On a conflicting append, overwrite the conflicting entries but keep the stale suffix. */
  NO_CONFLICT_TRUNCATION
}
