package io.flotilla.multiraft.node;

import io.flotilla.multiraft.kv.LookupForwarder;
import io.flotilla.multiraft.proto.RangeLookupRequest;
import io.flotilla.multiraft.proto.RangeLookupResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Passes a RangeLookup that this node cannot answer from the meta records (it holds no replica
 * of the system range) to the other nodes it knows, in turn, until one answers with ranges.
 */
final class PeerLookups implements LookupForwarder {
  private final long self;
  private final AddressBook book;
  private final PeerClients peers;
  private final Duration timeout;

  PeerLookups(long self, AddressBook book, PeerClients peers, Duration timeout) {
    this.self = self;
    this.book = book;
    this.peers = peers;
    this.timeout = timeout;
  }

  @Override
  public CompletableFuture<RangeLookupResponse> forward(RangeLookupRequest forwarded) {
    List<String> others = book.snapshot().entrySet().stream().filter(e -> e.getKey() != self)
        .map(Map.Entry::getValue).toList();
    return ask(forwarded, others, 0, "node " + self + " knows no other node");
  }

  private CompletableFuture<RangeLookupResponse> ask(RangeLookupRequest req,
      List<String> addresses, int next, String lastError) {
    if (next >= addresses.size()) {
      return CompletableFuture.failedFuture(new IllegalStateException("no node answered the"
          + " range lookup from the meta records: " + lastError));
    }
    String target = addresses.get(next);
    return PeerClients.<RangeLookupResponse>call(o -> peers.kv(target, timeout)
            .rangeLookup(req, o))
        .handle((r, e) -> {
          if (e == null && !r.hasError() && r.getRangesCount() > 0) {
            return CompletableFuture.completedFuture(r);
          }
          String why = e != null ? Membership.cause(e)
              : r.hasError() ? r.getError().getMessage() : "no ranges";
          return ask(req, addresses, next + 1, target + ": " + why);
        })
        .thenCompose(f -> f);
  }
}
