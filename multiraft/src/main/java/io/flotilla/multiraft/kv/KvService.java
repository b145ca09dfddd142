package io.flotilla.multiraft.kv;

import com.google.protobuf.ByteString;
import io.flotilla.kv.mvcc.KvPair;
import io.flotilla.multiraft.proto.BatchWriteRequest;
import io.flotilla.multiraft.proto.CasPb;
import io.flotilla.multiraft.proto.CommandPb;
import io.flotilla.multiraft.proto.CompareAndSetRequest;
import io.flotilla.multiraft.proto.CompareAndSetResponse;
import io.flotilla.multiraft.proto.DeletePb;
import io.flotilla.multiraft.proto.DeleteRequest;
import io.flotilla.multiraft.proto.GetRequest;
import io.flotilla.multiraft.proto.GetResponse;
import io.flotilla.multiraft.proto.JoinRequest;
import io.flotilla.multiraft.proto.JoinResponse;
import io.flotilla.multiraft.proto.KeyValue;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.KvError.Code;
import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.KvRequest;
import io.flotilla.multiraft.proto.KvRequestBatch;
import io.flotilla.multiraft.proto.KvResponse;
import io.flotilla.multiraft.proto.KvResponseBatch;
import io.flotilla.multiraft.proto.NodesRequest;
import io.flotilla.multiraft.proto.NodesResponse;
import io.flotilla.multiraft.proto.PutPb;
import io.flotilla.multiraft.proto.PutRequest;
import io.flotilla.multiraft.proto.RangeLookupRequest;
import io.flotilla.multiraft.proto.RangeLookupResponse;
import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.multiraft.proto.ScanRequest;
import io.flotilla.multiraft.proto.ScanResponse;
import io.flotilla.multiraft.proto.TxnCommandPb;
import io.flotilla.multiraft.proto.TxnErrorPb;
import io.flotilla.multiraft.proto.TxnGetRequest;
import io.flotilla.multiraft.proto.TxnGetResponse;
import io.flotilla.multiraft.proto.TxnResultPb;
import io.flotilla.multiraft.proto.TxnScanRequest;
import io.flotilla.multiraft.proto.TxnScanResponse;
import io.flotilla.multiraft.proto.TxnWriteRequest;
import io.flotilla.multiraft.proto.TxnWriteResponse;
import io.flotilla.multiraft.proto.WriteResponse;
import io.flotilla.multiraft.runtime.ApplyResult;
import io.flotilla.multiraft.runtime.RangeMeta;
import io.flotilla.multiraft.runtime.ScanResult;
import io.flotilla.multiraft.runtime.StoreRuntime;
import io.flotilla.multiraft.runtime.TxnErrors;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Serves the {@code Kv} gRPC service from one node's {@link StoreRuntime}: writes become
 * {@link CommandPb} proposals routed by their (first) key, reads are the runtime's linearizable
 * reads, and every failure is answered as a {@link KvError} (see the package documentation for
 * what each code promises). Join and Nodes are the node layer's, through
 * {@link ClusterMembership}.
 *
 * <p>Owns a small responder pool; {@link #close() close} it after the gRPC server stopped.
 */
public final class KvService extends KvGrpc.KvImplBase implements AutoCloseable {
  /** How long a proposal may take before the answer is AMBIGUOUS (a read: UNAVAILABLE). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  /** The most pairs one Scan returns, whatever the request asks: bounds a response's size. */
  public static final int MAX_SCAN_LIMIT = 10_000;
  /**
   * A Scan response stops adding pairs past this many bytes of keys and values (it always holds
   * at least one pair): with values of up to 8 MiB, a pair count alone does not bound it.
   */
  public static final int MAX_SCAN_BYTES = 4 << 20;
  /** The most ranges one RangeLookup returns (the one holding the key and those after it). */
  public static final int MAX_LOOKUP_RANGES = 256;
  /**
   * A lookup waits at most this long for the meta records before answering from this node's
   * ranges: a client's lookup must not time out because the system range is electing.
   */
  private static final long MAX_META_READ_MILLIS = 1000;
  private static final int RESPONDER_THREADS = 2;
  private static final Executor DIRECT = Runnable::run;

  private final StoreRuntime runtime;
  private final ClusterMembership membership;
  private final LookupForwarder forwarder;
  private final long timeoutMillis;
  private final ExecutorService responder;

  public KvService(StoreRuntime runtime, ClusterMembership membership) {
    this(runtime, membership, LookupForwarder.NONE, DEFAULT_TIMEOUT);
  }

  /** @param timeout how long to wait for the runtime before answering AMBIGUOUS/UNAVAILABLE */
  public KvService(StoreRuntime runtime, ClusterMembership membership, Duration timeout) {
    this(runtime, membership, LookupForwarder.NONE, timeout);
  }

  /**
   * @param forwarder where a RangeLookup goes when this node holds no replica of the system
   *     range
   * @param timeout how long to wait for the runtime before answering AMBIGUOUS/UNAVAILABLE
   */
  public KvService(StoreRuntime runtime, ClusterMembership membership,
      LookupForwarder forwarder, Duration timeout) {
    this.forwarder = forwarder;
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("KvService timeout must be positive, not " + timeout);
    }
    this.runtime = runtime;
    this.membership = membership;
    this.timeoutMillis = timeout.toMillis();
    this.responder = Executors.newFixedThreadPool(RESPONDER_THREADS, r -> {
      Thread t = new Thread(r, "kv-responder-" + runtime.nodeId());
      t.setDaemon(true);
      return t;
    });
  }

  // ------------------------------------------------------------------ reads

  @Override
  public void get(GetRequest req, StreamObserver<GetResponse> out) {
    get(req, out, responder);
  }

  private void get(GetRequest req, StreamObserver<GetResponse> out, Executor via) {
    answer(false, via, () -> runtime.get(req.getRangeId(), req.getKey().toByteArray()), out,
        value -> value == null ? GetResponse.getDefaultInstance()
            : GetResponse.newBuilder().setFound(true).setValue(ByteString.copyFrom(value))
                .build(),
        err -> GetResponse.newBuilder().setError(err).build());
  }

  @Override
  public void scan(ScanRequest req, StreamObserver<ScanResponse> out) {
    int limit = req.getLimit() == 0 ? MAX_SCAN_LIMIT : Math.min(req.getLimit(), MAX_SCAN_LIMIT);
    answer(false, responder, () -> runtime.scan(req.getRangeId(), req.getStartKey().toByteArray(),
            req.getEndKey().toByteArray(), limit), out,
        result -> scanned(result, limit),
        err -> ScanResponse.newBuilder().setError(err).build());
  }

  private static ScanResponse scanned(ScanResult result, int limit) {
    List<KvPair> pairs = result.pairs();
    ScanResponse.Builder b = ScanResponse.newBuilder()
        .setRangeEnd(ByteString.copyFrom(result.rangeEnd()))
        .setLimitReached(pairs.size() >= limit);
    long bytes = 0;
    for (KvPair p : pairs) {
      bytes += p.key().length + p.value().length;
      if (bytes > MAX_SCAN_BYTES && b.getPairsCount() > 0) {
        // Cut short: the client continues after the last pair, as at the limit.
        return b.setLimitReached(true).build();
      }
      b.addPairs(KeyValue.newBuilder().setKey(ByteString.copyFrom(p.key()))
          .setValue(ByteString.copyFrom(p.value())));
    }
    return b.build();
  }

  /**
   * Answers from the meta records, read linearizably from this node's replica of the system
   * range (a follower's ReadIndex goes through the leader) or, without a replica, by another
   * node. Only when the records cannot be read (no leader, none written yet, no node to ask)
   * does it answer from the ranges this node holds. A record may lag a split or a move for a
   * reconciler round; the range then refuses the request with its current descriptor.
   */
  @Override
  public void rangeLookup(RangeLookupRequest req, StreamObserver<RangeLookupResponse> out) {
    byte[] key = req.getKey().toByteArray();
    CompletableFuture<RangeLookupResponse> fromMeta;
    try {
      if (holdsSystemRange()) {
        fromMeta = runtime.scan(Keyspace.SYSTEM_RANGE_ID, RangeMeta.lookupStart(key),
                RangeMeta.PREFIX_END, MAX_LOOKUP_RANGES)
            .thenApply(scan -> RangeLookups.fromMeta(decode(scan), runtime.ranges()));
      } else if (!req.getForwarded()) {
        fromMeta = forwarder.forward(req.toBuilder().setForwarded(true).build());
      } else {
        fromMeta = CompletableFuture.failedFuture(new IllegalStateException(
            "it holds no replica of the system range"));
      }
    } catch (RuntimeException e) {
      fromMeta = CompletableFuture.failedFuture(e);
    }
    fromMeta.orTimeout(Math.min(timeoutMillis, MAX_META_READ_MILLIS), TimeUnit.MILLISECONDS)
        .whenCompleteAsync((resp, failure) -> {
          boolean usable = failure == null && !resp.hasError() && resp.getRangesCount() > 0;
          if (usable) {
            send(out, resp);
          } else if (req.getForwarded()) {
            // The forwarding node falls back to its own ranges; ours are no better.
            send(out, RangeLookupResponse.newBuilder().setError(KvErrors.error(
                Code.UNAVAILABLE, "node " + runtime.nodeId() + " could not read the meta"
                    + " records: " + (failure != null ? KvErrors.of(failure, false).getMessage()
                    : resp.hasError() ? resp.getError().getMessage() : "none written yet")))
                .build());
          } else {
            send(out, local(key));
          }
        }, responder);
  }

  private boolean holdsSystemRange() {
    return runtime.ranges().stream()
        .anyMatch(ri -> ri.descriptor().rangeId() == Keyspace.SYSTEM_RANGE_ID);
  }

  private static List<RangeMetaPb> decode(ScanResult scan) {
    return scan.pairs().stream().map(p -> RangeMeta.decode(p.key(), p.value())).toList();
  }

  private RangeLookupResponse local(byte[] key) {
    try {
      return RangeLookups.fromLocal(runtime.ranges(), key, MAX_LOOKUP_RANGES);
    } catch (RuntimeException e) {
      return RangeLookupResponse.newBuilder().setError(KvErrors.of(e, false)).build();
    }
  }

  // ------------------------------------------------------------------ writes

  @Override
  public void put(PutRequest req, StreamObserver<WriteResponse> out) {
    put(req, out, responder);
  }

  private void put(PutRequest req, StreamObserver<WriteResponse> out, Executor via) {
    CommandPb cmd = CommandPb.newBuilder()
        .addPuts(PutPb.newBuilder().setKey(req.getKey()).setValue(req.getValue())).build();
    write(req.getRangeId(), req.getKey(), cmd, out, via);
  }

  @Override
  public void delete(DeleteRequest req, StreamObserver<WriteResponse> out) {
    delete(req, out, responder);
  }

  private void delete(DeleteRequest req, StreamObserver<WriteResponse> out, Executor via) {
    CommandPb cmd = CommandPb.newBuilder().addDeletes(DeletePb.newBuilder()
        .setKey(req.getKey())).build();
    write(req.getRangeId(), req.getKey(), cmd, out, via);
  }

  @Override
  public void batchWrite(BatchWriteRequest req, StreamObserver<WriteResponse> out) {
    CommandPb.Builder cmd = CommandPb.newBuilder();
    for (KeyValue kv : req.getPutsList()) {
      cmd.addPuts(PutPb.newBuilder().setKey(kv.getKey()).setValue(kv.getValue()));
    }
    for (ByteString key : req.getDeletesList()) {
      cmd.addDeletes(DeletePb.newBuilder().setKey(key));
    }
    if (cmd.getPutsCount() == 0 && cmd.getDeletesCount() == 0) {
      send(out, WriteResponse.getDefaultInstance());
      return;
    }
    // Every key must lie in the range; the range checks them all when it applies the batch.
    ByteString routing = cmd.getPutsCount() > 0 ? cmd.getPuts(0).getKey()
        : cmd.getDeletes(0).getKey();
    write(req.getRangeId(), routing, cmd.build(), out, responder);
  }

  @Override
  public void compareAndSet(CompareAndSetRequest req,
      StreamObserver<CompareAndSetResponse> out) {
    compareAndSet(req, out, responder);
  }

  private void compareAndSet(CompareAndSetRequest req,
      StreamObserver<CompareAndSetResponse> out, Executor via) {
    CommandPb cmd = CommandPb.newBuilder().setCas(CasPb.newBuilder().setKey(req.getKey())
        .setExpectAbsent(req.getExpectAbsent()).setExpected(req.getExpected())
        .setDelete(req.getDelete()).setValue(req.getValue())).build();
    answer(true, via, () -> runtime.propose(req.getRangeId(), req.getKey().toByteArray(), cmd),
        out,
        r -> {
          if (r.error() != null) {
            return CompareAndSetResponse.newBuilder()
                .setError(KvErrors.refusedOnApply(r.error())).build();
          }
          CompareAndSetResponse.Builder b = CompareAndSetResponse.newBuilder()
              .setSucceeded(r.ok()).setFound(r.current() != null);
          if (r.current() != null) {
            b.setCurrent(ByteString.copyFrom(r.current()));
          }
          return b.build();
        },
        err -> CompareAndSetResponse.newBuilder().setError(err).build());
  }

  private void write(long rangeId, ByteString routingKey, CommandPb cmd,
      StreamObserver<WriteResponse> out, Executor via) {
    answer(true, via, () -> runtime.propose(rangeId, routingKey.toByteArray(), cmd), out,
        (ApplyResult r) -> r.error() == null ? WriteResponse.getDefaultInstance()
            : WriteResponse.newBuilder().setError(KvErrors.refusedOnApply(r.error())).build(),
        err -> WriteResponse.newBuilder().setError(err).build());
  }

  // ------------------------------------------------------------------ transactions

  @Override
  public void txnWrite(TxnWriteRequest req, StreamObserver<TxnWriteResponse> out) {
    txnWrite(req, out, responder);
  }

  /**
   * A transaction's step: a refusal by MVCC is a {@code txn_error} (nothing written, the
   * transaction knows its next move); a routing failure a KvError like any write's.
   */
  private void txnWrite(TxnWriteRequest req, StreamObserver<TxnWriteResponse> out,
      Executor via) {
    answer(true, via, () -> runtime.txnWrite(req.getRangeId(), req.getCommand()), out,
        r -> {
          if (r.error() == null) {
            return r.current() == null ? TxnWriteResponse.getDefaultInstance()
                : TxnWriteResponse.newBuilder().setResult(result(r.current())).build();
          }
          TxnErrorPb refusal = TxnErrors.of(r.error(), startTs(req.getCommand()));
          return refusal != null ? TxnWriteResponse.newBuilder().setTxnError(refusal).build()
              : TxnWriteResponse.newBuilder().setError(KvErrors.refusedOnApply(r.error()))
                  .build();
        },
        err -> TxnWriteResponse.newBuilder().setError(err).build());
  }

  private static TxnResultPb result(byte[] encoded) {
    try {
      return TxnResultPb.parseFrom(encoded);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("a transaction command's result is unreadable", e);
    }
  }

  private static long startTs(TxnCommandPb c) {
    return switch (c.getOpCase()) {
      case PREWRITE -> c.getPrewrite().getStartTs();
      case ONE_PHASE -> c.getOnePhase().getStartTs();
      case COMMIT -> c.getCommit().getStartTs();
      case ROLLBACK -> c.getRollback().getStartTs();
      case CHECK_STATUS -> c.getCheckStatus().getStartTs();
      case RESOLVE -> c.getResolve().getStartTs();
      case HEARTBEAT -> c.getHeartbeat().getStartTs();
      case GC, OP_NOT_SET -> 0;
    };
  }

  @Override
  public void txnGet(TxnGetRequest req, StreamObserver<TxnGetResponse> out) {
    txnGet(req, out, responder);
  }

  private void txnGet(TxnGetRequest req, StreamObserver<TxnGetResponse> out, Executor via) {
    answer(false, via, () -> orTxnError(runtime.txnGet(req.getRangeId(),
            req.getKey().toByteArray(), req.getReadTs())
            .thenApply(value -> value == null ? TxnGetResponse.getDefaultInstance()
                : TxnGetResponse.newBuilder().setFound(true)
                    .setValue(ByteString.copyFrom(value)).build()),
            req.getReadTs(), e -> TxnGetResponse.newBuilder().setTxnError(e).build()),
        out, Function.identity(), err -> TxnGetResponse.newBuilder().setError(err).build());
  }

  @Override
  public void txnScan(TxnScanRequest req, StreamObserver<TxnScanResponse> out) {
    int limit = req.getLimit() == 0 ? MAX_SCAN_LIMIT : Math.min(req.getLimit(), MAX_SCAN_LIMIT);
    answer(false, responder, () -> orTxnError(runtime.txnScan(req.getRangeId(),
            req.getStartKey().toByteArray(), req.getEndKey().toByteArray(), limit,
            req.getReadTs()).thenApply(result -> {
              ScanResponse scan = scanned(result, limit);
              return TxnScanResponse.newBuilder().addAllPairs(scan.getPairsList())
                  .setRangeEnd(scan.getRangeEnd()).setLimitReached(scan.getLimitReached())
                  .build();
            }), req.getReadTs(), e -> TxnScanResponse.newBuilder().setTxnError(e).build()),
        out, Function.identity(), err -> TxnScanResponse.newBuilder().setError(err).build());
  }

  /** A read's answer, with MVCC's refusal (a lock in the way, say) as a {@code txn_error}. */
  private static <R> CompletableFuture<R> orTxnError(CompletableFuture<R> read, long ts,
      Function<TxnErrorPb, R> refused) {
    return read.handle((r, e) -> {
      if (e == null) {
        return r;
      }
      Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause()
          != null ? e.getCause() : e;
      TxnErrorPb refusal = TxnErrors.of(cause, ts);
      if (refusal == null) {
        throw e instanceof java.util.concurrent.CompletionException c ? c
            : new java.util.concurrent.CompletionException(e);
      }
      return refused.apply(refusal);
    });
  }

  // ------------------------------------------------------------------ multiplexed requests

  @Override
  public StreamObserver<KvRequestBatch> multiplex(StreamObserver<KvResponseBatch> out) {
    return new MultiplexedStream(this::serve, out, responder);
  }

  private void serve(KvRequest r, MultiplexedStream s) {
    long id = r.getId();
    switch (r.getOpCase()) {
      case GET -> get(r.getGet(), s.answerTo(id, KvResponse.Builder::setGet), DIRECT);
      case PUT -> put(r.getPut(), s.answerTo(id, KvResponse.Builder::setWrite), DIRECT);
      case DELETE -> delete(r.getDelete(), s.answerTo(id, KvResponse.Builder::setWrite),
          DIRECT);
      case COMPARE_AND_SET -> compareAndSet(r.getCompareAndSet(),
          s.answerTo(id, KvResponse.Builder::setCompareAndSet), DIRECT);
      case TXN_WRITE -> txnWrite(r.getTxnWrite(), s.answerTo(id, KvResponse.Builder::setTxnWrite),
          DIRECT);
      case TXN_GET -> txnGet(r.getTxnGet(), s.answerTo(id, KvResponse.Builder::setTxnGet),
          DIRECT);
      case OP_NOT_SET -> s.<WriteResponse>answerTo(id, KvResponse.Builder::setWrite).onNext(
          WriteResponse.newBuilder().setError(KvErrors.error(Code.INVALID, "request " + id
              + " names no operation (a client newer than this node?)")).build());
    }
  }

  // ------------------------------------------------------------------ cluster membership

  @Override
  public void join(JoinRequest req, StreamObserver<JoinResponse> out) {
    JoinResponse resp;
    try {
      resp = membership.join(req);
    } catch (RuntimeException e) {
      resp = JoinResponse.newBuilder().setError(membershipError(e)).build();
    }
    send(out, resp);
  }

  @Override
  public void nodes(NodesRequest req, StreamObserver<NodesResponse> out) {
    NodesResponse resp;
    try {
      resp = membership.nodes();
    } catch (RuntimeException e) {
      resp = NodesResponse.newBuilder().setError(membershipError(e)).build();
    }
    send(out, resp);
  }

  private static KvError membershipError(RuntimeException e) {
    return e instanceof IllegalArgumentException ? KvErrors.error(Code.INVALID, e.getMessage())
        : KvErrors.error(Code.UNAVAILABLE, "node membership: " + e);
  }

  // ------------------------------------------------------------------ plumbing

  /**
   * Starts {@code op} and answers once its future completes or the timeout fires, through
   * {@code via}: the responder pool for unary calls (never the raft thread, which completes the
   * runtime's futures), directly for multiplexed ones, whose stream hands the sending to the
   * pool once per burst of answers.
   */
  private <T, R> void answer(boolean write, Executor via, Supplier<CompletableFuture<T>> op,
      StreamObserver<R> out, Function<T, R> onSuccess, Function<KvError, R> onError) {
    CompletableFuture<T> f;
    try {
      f = op.get();
    } catch (RuntimeException e) {
      // Thrown before the runtime took the request: nothing was proposed.
      send(out, onError.apply(KvErrors.of(e, false)));
      return;
    }
    f.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenCompleteAsync((value, failure) -> {
      R response;
      try {
        response = failure == null ? onSuccess.apply(value)
            : onError.apply(KvErrors.of(failure, write));
      } catch (RuntimeException e) {
        response = onError.apply(KvErrors.of(e, write));
      }
      send(out, response);
    }, via);
  }

  private static <R> void send(StreamObserver<R> out, R response) {
    try {
      out.onNext(response);
      out.onCompleted();
    } catch (RuntimeException e) {
      // The client cancelled or went away: there is no one left to tell.
    }
  }

  @Override
  public void close() {
    responder.shutdown();
    try {
      responder.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
