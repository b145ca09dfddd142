package io.flotilla.placement.tso;

import io.flotilla.multiraft.proto.KvError;
import io.flotilla.placement.tso.proto.GetTimestampsRequest;
import io.flotilla.placement.tso.proto.GetTimestampsResponse;
import io.flotilla.placement.tso.proto.TsoGrpc;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code Tso.GetTimestamps}: answered by the node that leads the system range; any other node
 * answers {@code NOT_LEADER} with the leader it knows as the hint, like the KV API. Handlers
 * never block: the answer is sent on the oracle's thread when the allocator completes.
 */
final class TsoService extends TsoGrpc.TsoImplBase {
  /** The longest a request waits (taking over, renewing, reading the mark). */
  static final long TIMEOUT_MILLIS = 5_000;

  private final TimestampOracle oracle;

  TsoService(TimestampOracle oracle) {
    this.oracle = oracle;
  }

  @Override
  public void getTimestamps(GetTimestampsRequest req,
      StreamObserver<GetTimestampsResponse> out) {
    long leader = oracle.systemLeader();
    if (leader != oracle.nodeId()) {
      respond(out, notLeader(leader));
      return;
    }
    int count = req.getCount();
    oracle.allocator().serve();
    oracle.allocator().allocate(count).orTimeout(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .whenCompleteAsync((first, e) -> respond(out, e == null
            ? GetTimestampsResponse.newBuilder().setFirst(first).setCount(count).build()
            : GetTimestampsResponse.newBuilder().setError(error(e)).build()),
            oracle.executor());
  }

  private static void respond(StreamObserver<GetTimestampsResponse> out,
      GetTimestampsResponse r) {
    try {
      out.onNext(r);
      out.onCompleted();
    } catch (RuntimeException e) {
      // The call was cancelled (client gone or deadline passed): nothing to answer.
    }
  }

  private GetTimestampsResponse notLeader(long leader) {
    return GetTimestampsResponse.newBuilder().setError(KvError.newBuilder()
        .setCode(KvError.Code.NOT_LEADER).setLeaderHint(leader)
        .setMessage("node " + oracle.nodeId() + " does not lead the system range"
            + (leader == 0 ? " and knows no leader; retry" : "; its leader is node " + leader)))
        .build();
  }

  private KvError error(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return switch (t) {
      case NotServingException e -> {
        long leader = oracle.systemLeader();
        yield leader != 0 && leader != oracle.nodeId() ? notLeader(leader).getError()
            : KvError.newBuilder().setCode(KvError.Code.UNAVAILABLE)
                .setMessage("not serving timestamps now (" + e.getMessage() + "); retry").build();
      }
      case IllegalArgumentException e -> KvError.newBuilder().setCode(KvError.Code.INVALID)
          .setMessage(e.getMessage()).build();
      case TimeoutException e -> KvError.newBuilder().setCode(KvError.Code.UNAVAILABLE)
          .setMessage("no timestamps within " + TIMEOUT_MILLIS + " ms; retry").build();
      default -> KvError.newBuilder().setCode(KvError.Code.UNAVAILABLE)
          .setMessage("unexpected failure: " + t).build();
    };
  }
}
