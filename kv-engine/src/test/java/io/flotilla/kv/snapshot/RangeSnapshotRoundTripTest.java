package io.flotilla.kv.snapshot;

import static io.flotilla.kv.snapshot.Fixture.SPAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

class RangeSnapshotRoundTripTest {
  private static final SnapshotOptions SMALL = new SnapshotOptions(4 << 10, 1 << 10);

  @TempDir Path tmp;

  @Test
  void spanOfAReplacesSpanOfBAndNothingElse() {
    try (Store a = Fixture.create(tmp.resolve("a"), 1);
        Store b = Fixture.create(tmp.resolve("b"), 2)) {
      Fixture.fill(a, "A", 0, 300, 1, 5, 100);
      Fixture.fill(b, "B", 0, 300, 2, 2, 1000);
      Fixture.fill(b, "B2", 150, 151, 1, 7, 5); // keys only B has, inside the span
      List<String> bOutside = Fixture.outside(b, SPAN);
      List<String> bRaft = Fixture.raft(b);
      byte[] context = Fixture.bytes("range 7 at index 42");

      try (ExportedSnapshot out = RangeSnapshotExporter.export(a, 0xab, SPAN, context, SMALL,
          SnapshotProgress.NONE);
          IncomingSnapshot in = new RangeSnapshotReceiver(b).begin(0xab)) {
        assertTrue(out.manifest().files().size() > 3, "small files roll: " + out.manifest());
        assertEquals(KeySpan.DATA_CFS, out.manifest().files().stream()
            .map(SnapshotFile::cf).distinct().toList());
        Fixture.transfer(out, in);
      }

      Fixture.assertRecords(Fixture.inside(a, SPAN), Fixture.inside(b, SPAN), "the span");
      assertEquals(100 * (5 + 5) + 20, Fixture.inside(b, SPAN).size());
      Fixture.assertRecords(bOutside, Fixture.outside(b, SPAN), "outside the span");
      Fixture.assertRecords(bRaft, Fixture.raft(b), "the raft families");
      assertFalse(Files.exists(SnapshotDirs.root(a).resolve("outgoing/00000000000000ab")));
      assertEquals(List.of(), list(SnapshotDirs.incoming(b)));
      b.verifyChecksums();
    }
  }

  @Test
  void unboundedSpanReplacesEverythingFromItsStartAndEmptySpanDeletes() {
    KeySpan tail = new KeySpan(Fixture.userKey(250), null);
    try (Store a = Fixture.create(tmp.resolve("a"), 1);
        Store b = Fixture.create(tmp.resolve("b"), 2)) {
      Fixture.fill(a, "A", 0, 280, 1, 2, 100);
      Fixture.fill(b, "B", 0, 400, 3, 2, 1000);
      List<String> bHead = Fixture.outside(b, tail);
      try (ExportedSnapshot out = RangeSnapshotExporter.export(a, 1, tail, new byte[0], SMALL,
          SnapshotProgress.NONE);
          IncomingSnapshot in = new RangeSnapshotReceiver(b).begin(1)) {
        Fixture.transfer(out, in);
      }
      Fixture.assertRecords(Fixture.inside(a, tail), Fixture.inside(b, tail), "the span");
      Fixture.assertRecords(bHead, Fixture.outside(b, tail), "outside the span");

      // A span that is empty at the source has no files; receiving it empties the span.
      KeySpan beyond = new KeySpan(Fixture.userKey(300), null);
      Fixture.fill(b, "B", 300, 400, 1, 1, 5000);
      try (ExportedSnapshot out = RangeSnapshotExporter.export(a, 2, beyond, new byte[0],
          SMALL, SnapshotProgress.NONE);
          IncomingSnapshot in = new RangeSnapshotReceiver(b).begin(2)) {
        assertEquals(List.of(), out.manifest().files());
        Fixture.transfer(out, in);
      }
      Fixture.assertRecords(List.of(), Fixture.inside(b, beyond), "the span");
      Fixture.assertRecords(Fixture.inside(a, tail), Fixture.inside(b, tail), "the span");
    }
  }

  @Test
  void writesDuringExportAreNotInTheSnapshot() {
    try (Store a = Fixture.create(tmp.resolve("a"), 1);
        Store b = Fixture.create(tmp.resolve("b"), 2)) {
      Fixture.fill(a, "A", 0, 300, 1, 5, 100);
      List<String> atSnapshot = Fixture.inside(a, SPAN);
      boolean[] meddled = {false};
      // The first progress report comes after the first DATA file, while LOCK and WRITE have
      // not been read yet: a read without the snapshot would see these writes in them.
      SnapshotProgress meddle = (stage, done, total) -> {
        if (!meddled[0]) {
          meddled[0] = true;
          Fixture.fill(a, "LATE", 100, 200, 1, 1, 9000);
          deleteSome(a);
        }
      };
      try (ExportedSnapshot out = RangeSnapshotExporter.export(a, 3, SPAN, new byte[0], SMALL,
          meddle);
          IncomingSnapshot in = new RangeSnapshotReceiver(b).begin(3)) {
        Fixture.transfer(out, in);
      }
      assertTrue(meddled[0]);
      assertNotEquals(atSnapshot, Fixture.inside(a, SPAN), "the late writes did happen");
      Fixture.assertRecords(atSnapshot, Fixture.inside(b, SPAN), "the span");
    }
  }

  @Test
  void bigSpanStreamsInManyFilesAndChunksWithProgress() {
    int keys = 200_000;
    try (Store a = Fixture.create(tmp.resolve("a"), 1);
        Store b = Fixture.create(tmp.resolve("b"), 2)) {
      SplittableRandom random = new SplittableRandom(42);
      for (int from = 0; from < keys; from += 10_000) {
        try (WriteBatch batch = new WriteBatch()) {
          for (int i = from; i < from + 10_000; i++) {
            byte[] value = new byte[240]; // random, so compression cannot shrink ~50 MB
            random.nextBytes(value);
            batch.put(a.handle(Cf.DATA), Fixture.versioned(i, 7), value);
            if (i % 10 == 0) {
              batch.put(a.handle(Cf.WRITE), Fixture.versioned(i, 8), value);
              batch.put(a.handle(Cf.LOCK), Fixture.userKey(i), Fixture.bytes("lock"));
            }
          }
          a.write(batch);
        } catch (RocksDBException e) {
          throw new AssertionError(e);
        }
      }
      KeySpan all = KeySpan.all();
      List<long[]> writing = new ArrayList<>();
      List<long[]> streaming = new ArrayList<>();
      SnapshotProgress progress = (stage, done, total) ->
          (stage == SnapshotProgress.Stage.WRITING ? writing : streaming)
              .add(new long[] {done, total});
      SnapshotOptions options = new SnapshotOptions(16L << 20, 128 << 10);
      int chunks;
      try (ExportedSnapshot out = RangeSnapshotExporter.export(a, 4, all, new byte[0], options,
          progress);
          IncomingSnapshot in = new RangeSnapshotReceiver(b).begin(4)) {
        SnapshotManifest m = out.manifest();
        assertTrue(m.totalBytes() > 45L << 20, m.toString());
        assertTrue(m.files().stream().filter(f -> f.cf() == Cf.DATA).count() >= 3, m.toString());
        chunks = Fixture.sendChunks(out, in);
        in.complete(m);
        assertEquals(m.totalBytes(), in.bytesReceived());
        assertEquals(m.files().size(), writing.size());
        assertEquals(m.totalBytes(), writing.get(writing.size() - 1)[0]);
        assertEquals(chunks, streaming.size());
        assertArrayEquals(new long[] {m.totalBytes(), m.totalBytes()},
            streaming.get(streaming.size() - 1));
        for (int i = 1; i < streaming.size(); i++) {
          assertTrue(streaming.get(i)[0] > streaming.get(i - 1)[0]);
        }
      }
      assertTrue(chunks >= 300, chunks + " chunks");
      assertEquals(Fixture.digest(a, all), Fixture.digest(b, all));
    }
  }

  private static void deleteSome(Store a) {
    try (WriteBatch batch = new WriteBatch()) {
      for (int i = 100; i < 200; i += 10) {
        batch.delete(a.handle(Cf.LOCK), Fixture.userKey(i));
        batch.delete(a.handle(Cf.WRITE), Fixture.versioned(i, 101));
      }
      a.write(batch);
    } catch (RocksDBException e) {
      throw new AssertionError(e);
    }
  }

  static List<Path> list(Path dir) {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (var s = Files.list(dir)) {
      return s.toList();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
