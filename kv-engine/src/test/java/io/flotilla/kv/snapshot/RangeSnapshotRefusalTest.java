package io.flotilla.kv.snapshot;

import static io.flotilla.kv.snapshot.Fixture.SPAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged or misaddressed input is refused with the culprit named, and B stays as it was. */
class RangeSnapshotRefusalTest {
  private static final long ID = 0x5eed;

  @TempDir Path tmp;
  private Store a;
  private Store b;
  private List<String> bBefore;
  private ExportedSnapshot out;
  private List<SnapshotChunk> chunks;

  @BeforeEach
  void setUp() {
    a = Fixture.create(tmp.resolve("a"), 1);
    b = Fixture.create(tmp.resolve("b"), 2);
    Fixture.fill(a, "A", 0, 300, 1, 4, 100);
    Fixture.fill(b, "B", 0, 300, 2, 2, 1000);
    bBefore = Fixture.everything(b);
    out = RangeSnapshotExporter.export(a, ID, SPAN, new byte[0],
        new SnapshotOptions(8 << 10, 1 << 10), SnapshotProgress.NONE);
    chunks = Fixture.chunks(out);
  }

  @AfterEach
  void tearDown() {
    out.close();
    a.close();
    b.close();
  }

  @Test
  void corruptChunkIsRefusedByFileAndOffsetAndItsResendIsAccepted() {
    SnapshotChunk good = chunks.get(3);
    byte[] flipped = good.data().clone();
    flipped[17] ^= 0x10;
    SnapshotChunk bad = new SnapshotChunk(ID, good.fileName(), good.cf(), good.offset(),
        flipped, good.crc32c());
    try (IncomingSnapshot in = new RangeSnapshotReceiver(b).begin(ID)) {
      for (int i = 0; i < 3; i++) {
        in.accept(chunks.get(i));
      }
      SnapshotException e = assertThrows(SnapshotException.class, () -> in.accept(bad));
      assertTrue(e.getMessage().contains(good.fileName() + " at offset " + good.offset()),
          e.getMessage());
      assertTrue(e.getMessage().contains("resend"), e.getMessage());
      Fixture.assertRecords(bBefore, Fixture.everything(b), "the whole store");

      SnapshotChunk resent = out.readChunk(good.fileName(), good.offset());
      for (SnapshotChunk c : chunks.subList(3, chunks.size())) {
        in.accept(c == good ? resent : c);
      }
      in.complete(out.manifest());
    }
    Fixture.assertRecords(Fixture.inside(a, SPAN), Fixture.inside(b, SPAN), "the span");
  }

  @Test
  void truncatedFileIsRefusedAtCompletion() {
    SnapshotFile multiChunk = out.manifest().files().stream()
        .filter(f -> f.sizeBytes() > 1024).findFirst().orElseThrow();
    SnapshotChunk last = chunks.stream().filter(c -> c.fileName().equals(multiChunk.name()))
        .reduce((x, y) -> y).orElseThrow();
    List<SnapshotChunk> sent = new ArrayList<>(chunks);
    sent.remove(last);
    SnapshotException e = refusedAtCompletion(sent, out.manifest());
    assertTrue(e.getMessage().contains("file " + multiChunk.name() + " has " + last.offset()
        + " bytes, the manifest says " + multiChunk.sizeBytes()), e.getMessage());
  }

  @Test
  void manifestWithAWrongChecksumIsRefused() {
    SnapshotFile victim = out.manifest().files().get(2);
    SnapshotManifest wrong = withFiles(out.manifest(), f -> f != victim ? f
        : new SnapshotFile(f.name(), f.cf(), f.sizeBytes(), f.crc32c() ^ 1));
    SnapshotException e = refusedAtCompletion(chunks, wrong);
    assertTrue(e.getMessage().contains("file " + victim.name() + " has CRC32C"), e.getMessage());
  }

  @Test
  void fileMissingFromTheTransferOrFromTheManifestIsRefused() {
    SnapshotFile dropped = out.manifest().files().get(1);
    List<SnapshotChunk> sent = new ArrayList<>(chunks);
    sent.removeIf(c -> c.fileName().equals(dropped.name()));
    SnapshotException missing = refusedAtCompletion(sent, out.manifest());
    assertTrue(missing.getMessage().contains(dropped.name() + " is in the manifest but no"
        + " chunk of it arrived"), missing.getMessage());

    SnapshotManifest shorter = withFiles(out.manifest(), f -> f == dropped ? null : f);
    SnapshotException extra = refusedAtCompletion(chunks, shorter);
    assertTrue(extra.getMessage().contains(dropped.name() + " arrived but is not in the"
        + " manifest"), extra.getMessage());
  }

  @Test
  void filesWithKeysOutsideTheManifestSpanAreRefused() {
    KeySpan narrower = new KeySpan(Fixture.userKey(120), Fixture.userKey(180));
    SnapshotManifest m = out.manifest();
    SnapshotManifest lying = new SnapshotManifest(m.formatVersion(), ID, narrower, m.files(),
        m.context());
    SnapshotException e = refusedAtCompletion(chunks, lying);
    assertTrue(e.getMessage().contains("holds keys outside the span"), e.getMessage());
  }

  @Test
  void misaddressedChunksAreRefusedBeforeAnythingIsWritten() {
    byte[] data = Fixture.bytes("x");
    try (IncomingSnapshot in = new RangeSnapshotReceiver(b).begin(ID)) {
      for (SnapshotChunk c : List.of(
          SnapshotChunk.of(ID, "../../CURRENT", Cf.DATA, 0, data),
          SnapshotChunk.of(ID, "data-000001.sst", Cf.WRITE, 0, data),
          SnapshotChunk.of(ID, "raft_log-000001.sst", Cf.RAFT_LOG, 0, data),
          SnapshotChunk.of(ID + 1, "data-000001.sst", Cf.DATA, 0, data))) {
        SnapshotException e = assertThrows(SnapshotException.class, () -> in.accept(c));
        assertTrue(e.getMessage().contains(c.fileName()), e.getMessage());
      }
      Path staging = SnapshotDirs.incoming(b).resolve(SnapshotDirs.name(ID));
      assertEquals(List.of(), RangeSnapshotRoundTripTest.list(staging));
    }
    Fixture.assertRecords(bBefore, Fixture.everything(b), "the whole store");
  }

  @Test
  void newerFormatIsRefused() {
    SnapshotManifest m = out.manifest();
    SnapshotManifest future = new SnapshotManifest(SnapshotManifest.FORMAT_VERSION + 1, ID,
        m.span(), m.files(), m.context());
    SnapshotException e = refusedAtCompletion(chunks, future);
    assertTrue(e.getMessage().contains("format 2 is newer"), e.getMessage());
  }

  @Test
  void abandonedTransferLeavesNoTrace() {
    RangeSnapshotReceiver receiver = new RangeSnapshotReceiver(b);
    try (IncomingSnapshot in = receiver.begin(ID)) {
      chunks.subList(0, 5).forEach(in::accept);
      assertThrows(IllegalStateException.class, () -> receiver.begin(ID));
    }
    assertEquals(List.of(), RangeSnapshotRoundTripTest.list(SnapshotDirs.incoming(b)));
    try (IncomingSnapshot again = receiver.begin(ID)) {
      Fixture.transfer(out, again); // the id is free again once the first attempt closed
    }
    Fixture.assertRecords(Fixture.inside(a, SPAN), Fixture.inside(b, SPAN), "the span");
  }

  private SnapshotException refusedAtCompletion(List<SnapshotChunk> sent, SnapshotManifest m) {
    RangeSnapshotReceiver receiver = new RangeSnapshotReceiver(b);
    SnapshotException e;
    try (IncomingSnapshot in = receiver.begin(ID)) {
      sent.forEach(in::accept);
      e = assertThrows(SnapshotException.class, () -> in.complete(m));
      assertThrows(IllegalStateException.class, () -> in.complete(m), "refused means ended");
    }
    Fixture.assertRecords(bBefore, Fixture.everything(b), "the whole store");
    assertFalse(Files.exists(SnapshotDirs.incoming(b).resolve(SnapshotDirs.name(ID))));
    return e;
  }

  private static SnapshotManifest withFiles(SnapshotManifest m,
      UnaryOperator<SnapshotFile> change) {
    List<SnapshotFile> files = new ArrayList<>();
    for (SnapshotFile f : m.files()) {
      SnapshotFile g = change.apply(f);
      if (g != null) {
        files.add(g);
      }
    }
    return new SnapshotManifest(m.formatVersion(), m.snapshotId(), m.span(), files,
        m.context());
  }
}
