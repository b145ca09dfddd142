package io.flotilla.multiraft.kv;

import io.flotilla.multiraft.proto.RangeLookupRequest;
import io.flotilla.multiraft.proto.RangeLookupResponse;
import java.util.concurrent.CompletableFuture;

/**
 * Where a node that holds no replica of the system range sends a RangeLookup, so that it can
 * answer from the meta records all the same. The node layer implements it with its address
 * book; the request it gets is marked forwarded, so the node that answers never passes it on.
 */
public interface LookupForwarder {
  /** For nodes that always hold the system range (test clusters): there is nowhere to go. */
  LookupForwarder NONE = req -> CompletableFuture.failedFuture(new IllegalStateException(
      "no node to forward a range lookup to"));

  /** An answer from the meta records, or a failure (the caller then answers from its own). */
  CompletableFuture<RangeLookupResponse> forward(RangeLookupRequest forwarded);
}
