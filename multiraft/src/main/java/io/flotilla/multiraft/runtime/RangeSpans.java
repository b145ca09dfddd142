package io.flotilla.multiraft.runtime;

import io.flotilla.kv.mvcc.MvccKeys;
import io.flotilla.kv.snapshot.KeySpan;

/** Where a range's keys lie in the store. */
public final class RangeSpans {
  private RangeSpans() {}

  /** The stored keys of a range's span, as the MVCC families hold them. */
  public static KeySpan of(RangeDescriptor d) {
    byte[] start = d.startKey().length == 0 ? new byte[0] : MvccKeys.encodeUserKey(d.startKey());
    byte[] end = d.endKey().length == 0 ? null : MvccKeys.encodeUserKey(d.endKey());
    return new KeySpan(start, end);
  }
}
