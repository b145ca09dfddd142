package io.flotilla.placement.scheduler;

/**
 * How far a decommissioning store is: it may be marked DECOMMISSIONED once {@link #done},
 * that is once it holds no replica at all.
 */
public record DecommissionProgress(long storeId, int replicasLeft, int leadersLeft) {
  public boolean done() {
    return replicasLeft == 0;
  }

  @Override
  public String toString() {
    return "store " + storeId + (done() ? " is empty"
        : ": " + replicasLeft + " replicas and " + leadersLeft + " leaders left");
  }
}
