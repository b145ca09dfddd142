package io.flotilla.multiraft.client;

import io.flotilla.multiraft.runtime.RangeDescriptor;
import java.util.ArrayList;
import java.util.List;

/**
 * What the client believes about a range: its descriptor and its leader's node id (0: unknown).
 * Only a hint: every server checks the range and leadership itself.
 */
record CachedRange(RangeDescriptor descriptor, long leader) {
  long rangeId() {
    return descriptor.rangeId();
  }

  CachedRange withLeader(long node) {
    return new CachedRange(descriptor, node);
  }

  /** The range's voters in id order: where to look when the leader is unknown. */
  List<Long> replicas() {
    List<Long> ids = new ArrayList<>(descriptor.members().voters());
    ids.sort(null);
    return ids;
  }

  @Override
  public String toString() {
    return descriptor + (leader == 0 ? " leader unknown" : " leader " + leader);
  }
}
