package io.flotilla.multiraft.runtime;

import io.flotilla.multiraft.EngineRaftStorage;
import io.flotilla.raft.Entry;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.SnapshotMetadata;
import io.flotilla.raft.Storage;
import java.util.List;
import java.util.function.Supplier;

/**
 * A range's Raft storage: the engine's log, plus snapshots taken at the replica's applied index
 * (at or after the log's start) that carry the range's descriptor, so a replica created from a
 * snapshot learns its span. The range's data at that index travels separately, as a range
 * snapshot ({@link SnapshotShipper}); taking the metadata from the applied state is what lets
 * the data match it exactly.
 */
final class RangeStorage implements Storage {
  private final EngineRaftStorage log;
  private final Supplier<Replica> replica;

  RangeStorage(EngineRaftStorage log, Supplier<Replica> replica) {
    this.log = log;
    this.replica = replica;
  }

  @Override
  public InitialState initialState() {
    return log.initialState();
  }

  @Override
  public List<Entry> entries(long lo, long hi, long maxBytes) {
    return log.entries(lo, hi, maxBytes);
  }

  @Override
  public long term(long index) {
    return log.term(index);
  }

  @Override
  public long firstIndex() {
    return log.firstIndex();
  }

  @Override
  public long lastIndex() {
    return log.lastIndex();
  }

  @Override
  public Snapshot snapshot() {
    Replica r = replica.get();
    if (r.applied == 0) {
      return log.snapshot(); // an empty replica, never a leader: nothing to send
    }
    return new Snapshot(new SnapshotMetadata(r.applied, r.appliedTerm, r.descriptor.members()),
        r.descriptor.toProto().toByteArray());
  }
}
