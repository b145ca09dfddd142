package io.flotilla.multiraft.runtime;

/** How the left range's log answered an abandon of a freeze ({@link Merges}). */
public enum MergeAbandonment {
  /** No commit of the freeze applied before the abandon, and none can after: thaw the right. */
  ABANDONED,
  /** The left range took the right one's span before the abandon: the merge is done. */
  ALREADY_MERGED
}
