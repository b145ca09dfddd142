package io.flotilla.kv.snapshot;

import static io.flotilla.kv.snapshot.Fixture.SPAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A crash at every step of the ingest protocol, simulated by a fault hook that throws: the store
 * is then closed with the protocol cut short, reopened and recovered, and must hold the old span
 * or the new one in full, never a mix, with no snapshot files left behind.
 */
class RangeSnapshotCrashTest {
  private static final long ID = 0xc4a5;
  private static final byte[] CONTEXT = Fixture.bytes("range 3, index 99");

  @TempDir Path tmp;
  private Store a;
  private Store b;
  private Path bDir;
  private List<String> bBefore;
  private List<String> bOutside;
  private List<String> bRaft;
  private List<String> aSpan;
  private ExportedSnapshot out;

  /** What a process killed at a protocol step would have done: nothing more. */
  private static final class SimulatedCrash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(CrashPoint at) {
      super("simulated crash at " + at);
    }
  }

  @BeforeEach
  void setUp() {
    a = Fixture.create(tmp.resolve("a"), 1);
    bDir = tmp.resolve("b");
    b = Fixture.create(bDir, 2);
    Fixture.fill(a, "A", 0, 300, 1, 4, 100);
    Fixture.fill(b, "B", 0, 300, 2, 3, 1000);
    bBefore = Fixture.everything(b);
    bOutside = Fixture.outside(b, SPAN);
    bRaft = Fixture.raft(b);
    aSpan = Fixture.inside(a, SPAN);
    out = RangeSnapshotExporter.export(a, ID, SPAN, CONTEXT,
        new SnapshotOptions(16 << 10, 4 << 10), SnapshotProgress.NONE);
  }

  @AfterEach
  void tearDown() {
    out.close();
    a.close();
    b.close();
  }

  static Stream<Arguments> crashPoints() {
    List<Arguments> cases = new ArrayList<>();
    for (CrashPoint p : CrashPoint.values()) {
      int times = p == CrashPoint.CF_INGESTED ? 3 : 1; // after DATA, LOCK and WRITE
      for (int n = 1; n <= times; n++) {
        for (boolean callerCloses : new boolean[] {false, true}) {
          cases.add(Arguments.of(p, n, callerCloses));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "crash at {0} #{1}, caller closes the transfer: {2}")
  @MethodSource("crashPoints")
  void crashDuringIngestLeavesOldOrNewSpanAfterRecovery(CrashPoint point, int occurrence,
      boolean callerCloses) {
    assertEquals(3, out.manifest().files().stream().map(SnapshotFile::cf).distinct().count());
    IncomingSnapshot in = new RangeSnapshotReceiver(b, crashAt(point, occurrence)).begin(ID);
    Fixture.sendChunks(out, in);
    assertThrows(SimulatedCrash.class, () -> in.complete(out.manifest()));
    if (callerCloses) {
      in.close(); // a caller's try-with-resources; must not undo a committed ingest
    }
    List<SnapshotManifest> redone = reopenAndRecover();

    boolean redoExpected = point.compareTo(CrashPoint.MARKER_DURABLE) >= 0
        && point != CrashPoint.MARKER_REMOVED;
    if (point.compareTo(CrashPoint.MARKER_DURABLE) < 0) {
      Fixture.assertRecords(bBefore, Fixture.everything(b), "old span intact");
    } else {
      Fixture.assertRecords(aSpan, Fixture.inside(b, SPAN), "new span complete");
    }
    assertEquals(redoExpected ? 1 : 0, redone.size());
    if (redoExpected) {
      assertArrayEquals(CONTEXT, redone.get(0).context());
    }
    Fixture.assertRecords(bOutside, Fixture.outside(b, SPAN), "outside the span");
    Fixture.assertRecords(bRaft, Fixture.raft(b), "the raft families");
    assertNoSnapshotFiles();
  }

  @Test
  void crashWhileRecoveryRedoesTheIngestIsRecoveredAgain() {
    IncomingSnapshot in = new RangeSnapshotReceiver(b, crashAt(CrashPoint.SPAN_DELETED, 1))
        .begin(ID);
    Fixture.sendChunks(out, in);
    assertThrows(SimulatedCrash.class, () -> in.complete(out.manifest()));
    b.close();
    b = Fixture.reopen(bDir);
    assertThrows(SimulatedCrash.class,
        () -> SnapshotIngester.recover(b, AlongsideWrites.NONE,
            crashAt(CrashPoint.CF_INGESTED, 2)));
    List<SnapshotManifest> redone = reopenAndRecover();
    assertEquals(List.of(out.manifest()), redone);
    Fixture.assertRecords(aSpan, Fixture.inside(b, SPAN), "the span");
    Fixture.assertRecords(bOutside, Fixture.outside(b, SPAN), "outside the span");
    assertNoSnapshotFiles();
  }

  @ParameterizedTest(name = "crash at {0}")
  @MethodSource("alongsideCrashPoints")
  void alongsideWritesLandExactlyWithTheNewSpan(CrashPoint point) {
    byte[] key = Fixture.bytes("applied-at");
    List<String> oldSpan = Fixture.inside(b, SPAN);
    AlongsideWrites alongside = (m, batch) -> batch.put(b.handle(Cf.RAFT_STATE), key,
        m.context());
    IncomingSnapshot in = new RangeSnapshotReceiver(b, crashAt(point, 1)).begin(ID);
    Fixture.sendChunks(out, in);
    assertThrows(SimulatedCrash.class, () -> in.complete(out.manifest(), alongside));
    b.close();
    b = Fixture.reopen(bDir);
    RangeSnapshotReceiver.recover(b, (m, batch) -> batch.put(b.handle(Cf.RAFT_STATE), key,
        m.context()));
    boolean newSpan = point.compareTo(CrashPoint.MARKER_DURABLE) >= 0;
    try {
      assertArrayEquals(newSpan ? CONTEXT : null, b.db().get(b.handle(Cf.RAFT_STATE), key));
    } catch (org.rocksdb.RocksDBException e) {
      throw new AssertionError(e);
    }
    Fixture.assertRecords(newSpan ? aSpan : oldSpan,
        Fixture.inside(b, SPAN), "the span");
  }

  static Stream<CrashPoint> alongsideCrashPoints() {
    return Stream.of(CrashPoint.VERIFIED, CrashPoint.MARKER_DURABLE, CrashPoint.SPAN_DELETED,
        CrashPoint.SPAN_DELETE_FLUSHED, CrashPoint.MARKER_REMOVED);
  }

  @Test
  void halfReceivedSnapshotAndUnfinishedExportLeaveNoTraceAfterRecovery() {
    IncomingSnapshot in = new RangeSnapshotReceiver(b).begin(ID);
    List<SnapshotChunk> chunks = Fixture.chunks(out);
    chunks.subList(0, chunks.size() / 2).forEach(in::accept);
    // B was also sending a snapshot of its own when it died.
    RangeSnapshotExporter.export(b, 77, SPAN, new byte[0], SnapshotOptions.DEFAULTS,
        SnapshotProgress.NONE);
    assertTrue(Files.exists(SnapshotDirs.outgoing(b).resolve(SnapshotDirs.name(77))));

    assertEquals(List.of(), reopenAndRecover());
    Fixture.assertRecords(bBefore, Fixture.everything(b), "the whole store");
    assertNoSnapshotFiles();
  }

  @Test
  void recoveryOfACleanStoreDoesNothing() {
    assertEquals(List.of(), reopenAndRecover());
    Fixture.assertRecords(bBefore, Fixture.everything(b), "the whole store");
  }

  private List<SnapshotManifest> reopenAndRecover() {
    b.close();
    b = Fixture.reopen(bDir);
    return RangeSnapshotReceiver.recover(b);
  }

  private void assertNoSnapshotFiles() {
    assertEquals(List.of(), RangeSnapshotRoundTripTest.list(SnapshotDirs.incoming(b)));
    assertEquals(List.of(), RangeSnapshotRoundTripTest.list(SnapshotDirs.outgoing(b)));
  }

  private static Consumer<CrashPoint> crashAt(CrashPoint point, int occurrence) {
    int[] seen = {0};
    return p -> {
      if (p == point && ++seen[0] == occurrence) {
        throw new SimulatedCrash(p);
      }
    };
  }
}
