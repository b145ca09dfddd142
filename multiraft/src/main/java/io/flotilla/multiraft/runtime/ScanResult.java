package io.flotilla.multiraft.runtime;

import io.flotilla.kv.mvcc.KvPair;
import java.util.List;

/**
 * What a scan of one range returned, and the range end it was clipped to when it was served.
 * The end is the one the replica held at that moment, not the one published later: a scan that
 * spans ranges continues from it, and a published end lagging a split would skip the keys
 * between the new and the old end.
 *
 * @param pairs the pairs in key order
 * @param rangeEnd the range's exclusive end when the scan was served; empty: the keyspace's end
 */
public record ScanResult(List<KvPair> pairs, byte[] rangeEnd) {
  public ScanResult {
    pairs = List.copyOf(pairs);
  }
}
