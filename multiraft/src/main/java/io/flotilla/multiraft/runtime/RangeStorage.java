package io.flotilla.multiraft.runtime;

import io.flotilla.multiraft.EngineRaftStorage;
import io.flotilla.raft.Entry;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.Storage;
import java.util.List;
import java.util.function.Supplier;

/**
 * A range's Raft storage: the engine's log, plus snapshots that carry the range's descriptor,
 * so a replica created from a snapshot learns its span. (The range's data travels separately,
 * as a range snapshot; see {@code Transport#sendSnapshot}.)
 */
final class RangeStorage implements Storage {
  private final EngineRaftStorage log;
  private final Supplier<RangeDescriptor> descriptor;

  RangeStorage(EngineRaftStorage log, Supplier<RangeDescriptor> descriptor) {
    this.log = log;
    this.descriptor = descriptor;
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
    Snapshot s = log.snapshot();
    return new Snapshot(s.metadata(), descriptor.get().toProto().toByteArray());
  }
}
