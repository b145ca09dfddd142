package io.flotilla.kv;

/**
 * Who a store is: written once when the store is created and checked at every open, so a node
 * never serves another cluster's data or a format it does not understand.
 *
 * @param clusterId the cluster the store belongs to, never 0
 * @param storeId the store's id within the cluster, never 0
 * @param formatVersion the on-disk format the store was written with
 */
public record StoreIdentity(long clusterId, long storeId, int formatVersion) {
  public StoreIdentity {
    if (clusterId == 0 || storeId == 0) {
      throw new IllegalArgumentException("cluster id and store id must not be 0");
    }
    if (formatVersion < 1) {
      throw new IllegalArgumentException("format version must be at least 1");
    }
  }

  byte[] encode() {
    byte[] b = new byte[20];
    Codec.putLong(b, 0, clusterId);
    Codec.putLong(b, 8, storeId);
    Codec.putInt(b, 16, formatVersion);
    return b;
  }

  static StoreIdentity decode(byte[] b) {
    if (b.length != 20) {
      throw new IllegalArgumentException("identity record has " + b.length + " bytes, not 20");
    }
    return new StoreIdentity(Codec.getLong(b, 0), Codec.getLong(b, 8), Codec.getInt(b, 16));
  }

  @Override
  public String toString() {
    return "cluster " + Long.toUnsignedString(clusterId, 16) + ", store " + storeId
        + ", format " + formatVersion;
  }
}
