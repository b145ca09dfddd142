package io.flotilla.multiraft.client;

import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.KvRequest;
import io.flotilla.multiraft.proto.KvResponse;

/**
 * How one attempt reaches the node the router chose: unary RPCs through {@code stub} (its
 * deadline set), single-key requests through the node's shared {@link Multiplexer}.
 */
record Endpoint(KvGrpc.KvBlockingStub stub, Multiplexer multiplexer, long rpcMillis) {
  KvResponse call(KvRequest.Builder request) {
    return multiplexer.call(request, rpcMillis);
  }
}
