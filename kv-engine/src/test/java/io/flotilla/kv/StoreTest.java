package io.flotilla.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

class StoreTest {
  @TempDir
  Path dir;

  private static final StoreIdentity ID = new StoreIdentity(0xC1, 7, Store.FORMAT_VERSION);

  @Test
  void identityIsWrittenOnceAndReadBack() {
    try (Store s = Store.create(dir, ID, StoreOptions.DEFAULTS)) {
      assertEquals(ID, s.identity());
    }
    try (Store s = Store.open(dir, 0xC1, StoreOptions.DEFAULTS)) {
      assertEquals(ID, s.identity());
    }
  }

  @Test
  void openingAnotherClustersStoreNamesTheDirectoryAndBothClusters() {
    Store.create(dir, ID, StoreOptions.DEFAULTS).close();
    StoreException e = assertThrows(StoreException.class,
        () -> Store.open(dir, 0xD2, StoreOptions.DEFAULTS));
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("belongs to cluster c1, not to cluster d2"),
        e.getMessage());
  }

  @Test
  void aNewerFormatIsRefused() throws RocksDBException {
    Store.create(dir, ID, StoreOptions.DEFAULTS).close();
    try (Store s = Store.open(dir, StoreOptions.DEFAULTS)) {
      StoreIdentity future = new StoreIdentity(0xC1, 7, Store.FORMAT_VERSION + 1);
      RocksDB db = s.db();
      db.put(s.handle(Cf.DEFAULT), "flotilla/identity".getBytes(), future.encode());
    }
    StoreException e = assertThrows(StoreException.class,
        () -> Store.open(dir, StoreOptions.DEFAULTS));
    assertTrue(e.getMessage().contains("has format 2, newer than this build understands (1)"),
        e.getMessage());
  }

  @Test
  void openingAnEmptyDirectoryExplainsThereIsNoStore() {
    StoreException e = assertThrows(StoreException.class,
        () -> Store.open(dir.resolve("nothing"), StoreOptions.DEFAULTS));
    assertTrue(e.getMessage().contains("holds no store"), e.getMessage());
  }

  @Test
  void creatingOverAnExistingStoreIsRefused() {
    Store.create(dir, ID, StoreOptions.DEFAULTS).close();
    StoreException e = assertThrows(StoreException.class,
        () -> Store.create(dir, ID, StoreOptions.DEFAULTS));
    assertTrue(e.getMessage().contains("already holds a store"), e.getMessage());
  }

  @Test
  void aStoreOpenElsewhereCannotBeOpenedTwice() {
    try (Store first = Store.create(dir, ID, StoreOptions.DEFAULTS)) {
      StoreException e = assertThrows(StoreException.class,
          () -> Store.open(dir, StoreOptions.DEFAULTS));
      assertTrue(e.getMessage().contains("another process"), e.getMessage());
      assertEquals(ID, first.identity(), "the first store stays usable");
    }
  }
}
