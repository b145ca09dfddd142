package io.flotilla.placement.driver;

import io.flotilla.multiraft.proto.KvError;
import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.model.StoreStats;
import io.flotilla.placement.proto.DecisionPb;
import io.flotilla.placement.proto.ManualRequest;
import io.flotilla.placement.proto.ManualResponse;
import io.flotilla.placement.proto.OperatorsRequest;
import io.flotilla.placement.proto.OperatorsResponse;
import io.flotilla.placement.proto.PlacementGrpc;
import io.flotilla.placement.proto.RangeReportPb;
import io.flotilla.placement.proto.RangesRequest;
import io.flotilla.placement.proto.RangesResponse;
import io.flotilla.placement.proto.StoreReportPb;
import io.flotilla.placement.proto.StoreStatePb;
import io.flotilla.placement.proto.StoresRequest;
import io.flotilla.placement.proto.StoresResponse;
import io.flotilla.placement.scheduler.DecommissionProgress;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The placement admin API (what {@code flotilla stores|ranges|operators|move|...} and the
 * dashboard use). Answered by the driver's node; any other node says NOT_LEADER with the
 * driver's node as hint, or UNAVAILABLE while the driver has not finished its first round.
 */
final class PlacementService extends PlacementGrpc.PlacementImplBase {
  private static final int DEFAULT_LIMIT = 100;
  private final DriverLoop driver;

  PlacementService(DriverLoop driver) {
    this.driver = driver;
  }

  @Override
  public void stores(StoresRequest req, StreamObserver<StoresResponse> out) {
    DriverSnapshot s = driver.snapshot();
    KvError error = notHere(s);
    if (error != null) {
      reply(out, StoresResponse.newBuilder().setError(error).build());
      return;
    }
    ClusterView view = s.view();
    StoresResponse.Builder b = StoresResponse.newBuilder().setDriver(s.driver());
    List<Long> ids = new ArrayList<>(view.stores().keySet());
    Collections.sort(ids);
    for (long id : ids) {
      StoreStats st = view.store(id);
      StoreReportPb.Builder r = StoreReportPb.newBuilder().setStoreId(id)
          .setState(StoreStatePb.valueOf(st.state().name())).setLive(view.isLive(id))
          .setCapacityBytes(st.capacityBytes()).setAvailableBytes(st.availableBytes())
          .setUsedBytes(st.usedBytes())
          .setRangeCount(view.replicaCount(id)).setLeaderCount(view.leaderCount(id))
          .setReadsPerSec(st.readsPerSec()).setWritesPerSec(st.writesPerSec())
          .setLastReportMillis(st.lastHeartbeatMillis());
      for (DecommissionProgress p : s.decommissions()) {
        if (p.storeId() == id) {
          r.setReplicasLeft(p.replicasLeft());
        }
      }
      b.addStores(r);
    }
    reply(out, b.build());
  }

  @Override
  public void ranges(RangesRequest req, StreamObserver<RangesResponse> out) {
    DriverSnapshot s = driver.snapshot();
    KvError error = notHere(s);
    if (error != null) {
      reply(out, RangesResponse.newBuilder().setError(error).build());
      return;
    }
    RangesResponse.Builder b = RangesResponse.newBuilder();
    for (RangeStats r : s.view().ranges()) {
      b.addRanges(RangeReportPb.newBuilder().setRange(Reports.descriptor(r))
          .setLeader(r.leaderStore()).setApproxBytes(r.approxBytes())
          .setApproxKeys(r.approxKeys()).setReadsPerSec(r.readsPerSec())
          .setWritesPerSec(r.writesPerSec()).addAllVoters(r.voters())
          .addAllLearners(r.learners()));
    }
    reply(out, b.build());
  }

  @Override
  public void operators(OperatorsRequest req, StreamObserver<OperatorsResponse> out) {
    DriverSnapshot s = driver.snapshot();
    KvError error = notHere(s);
    if (error != null) {
      reply(out, OperatorsResponse.newBuilder().setError(error).build());
      return;
    }
    int limit = req.getLimit() == 0 ? DEFAULT_LIMIT : Math.min(req.getLimit(), 10_000);
    long next = s.state().getNextDecision();
    driver.records().decisions(Math.max(1, next - limit), limit).whenComplete((list, e) -> {
      if (e != null) {
        reply(out, OperatorsResponse.newBuilder().setError(KvError.newBuilder()
            .setCode(KvError.Code.UNAVAILABLE).setMessage("cannot read the decision log: " + e))
            .build());
        return;
      }
      List<DecisionPb> newestFirst = new ArrayList<>(list);
      Collections.reverse(newestFirst);
      reply(out, OperatorsResponse.newBuilder().addAllDecisions(newestFirst)
          .setBalancerPaused(s.state().getBalancerPaused()).build());
    });
  }

  @Override
  public void manual(ManualRequest req, StreamObserver<ManualResponse> out) {
    KvError error = notHere(driver.snapshot());
    if (error != null) {
      reply(out, ManualResponse.newBuilder().setError(error).build());
      return;
    }
    ManualChange change = new ManualChange(req);
    driver.submit(change);
    change.answer.orTimeout(30, TimeUnit.SECONDS).whenComplete((resp, e) -> reply(out,
        e == null ? resp : ManualResponse.newBuilder().setError(KvError.newBuilder()
            .setCode(KvError.Code.UNAVAILABLE).setMessage("the driver did not take the"
                + " request within 30 s: " + e)).build()));
  }

  private KvError notHere(DriverSnapshot s) {
    if (s == null) {
      long driverNode = driver.driverNode();
      return KvError.newBuilder().setCode(KvError.Code.NOT_LEADER).setLeaderHint(driverNode)
          .setMessage("the placement driver runs on the system range's leader"
              + (driverNode == 0 ? ", unknown here just now" : ", node " + driverNode))
          .build();
    }
    if (s.view() == null) {
      return KvError.newBuilder().setCode(KvError.Code.UNAVAILABLE)
          .setMessage("the driver on node " + s.driver() + " has not finished its first round")
          .build();
    }
    return null;
  }

  private static <T> void reply(StreamObserver<T> out, T response) {
    try {
      out.onNext(response);
      out.onCompleted();
    } catch (RuntimeException e) {
      // The caller went away.
    }
  }
}
