package io.flotilla.kv.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.RaftHardState;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreException;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk surfaces as an error to the writer, not a hang or a damaged store: issue #3,
 * item 7. The test mounts a 24 MiB tmpfs (so it must run as root, which it does on the build
 * machine and in CI; it fails rather than skip otherwise), fills 14 MiB of it with a file, and
 * lets four writers commit batches concurrently until the disk is full. What happens, as
 * measured:
 * <ol>
 *   <li>The write that hits the full disk fails every batch in it with
 *       {@code store <dir>: synced write failed: While appending to file: <dir>/000004.log: No
 *       space left on device}; no writer hangs.
 *   <li>Every later commit fails at once with {@code store <dir>: the raft log refuses writes
 *       after a failed WAL write; restart the node to recover from disk: } and the first error.
 *   <li>Reopening while the disk is still full fails too, naming the directory: WAL recovery
 *       flushes to a new SST, which does not fit ({@code store <dir>: cannot open: While
 *       appending to file: <dir>/000009.sst: No space left on device}).
 *   <li>Once the filler file is deleted the store opens, every acknowledged batch is there
 *       byte for byte, each failed batch is there completely or not at all, checksums verify,
 *       and commits work again.
 * </ol>
 */
class FullDiskTest {
  private static final StoreIdentity ID = new StoreIdentity(0xD15CL, 2, Store.FORMAT_VERSION);
  private static final StoreOptions OPTIONS = StoreOptions.DEFAULTS.withEntryCacheBytes(0);
  private static final int WRITERS = 4;
  private static final int GROUPS_PER_WRITER = 2;
  private static final int FILLER_BYTES = 14 << 20;

  @TempDir
  Path tmp;
  private Path disk;
  private boolean mounted;

  @BeforeEach
  void mountSmallTmpfs() throws Exception {
    assertEquals("0", run("id", "-u").trim(), "FullDiskTest mounts a tmpfs, so it must run as"
        + " root (as it does on the build machine and in CI); it is not skipped otherwise");
    disk = tmp.resolve("disk");
    Files.createDirectories(disk);
    run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", disk.toString());
    mounted = true;
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      run("umount", disk.toString());
    }
  }

  @Test
  void aFullDiskFailsTheWritersByNameAndLosesNothingAcknowledged() throws Exception {
    Path filler = disk.resolve("filler");
    Files.write(filler, new byte[FILLER_BYTES]);
    Path dir = disk.resolve("store");
    LogModel model = new LogModel(WRITERS * GROUPS_PER_WRITER);
    List<BatchPlan> failed = Collections.synchronizedList(new ArrayList<>());
    List<StoreException> errors = Collections.synchronizedList(new ArrayList<>());
    AtomicLong ids = new AtomicLong();
    String refusal = "store " + dir + ": the raft log refuses writes after a failed WAL write;"
        + " restart the node to recover from disk: ";
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
      try (Store s = Store.create(dir, ID, OPTIONS)) {
        RaftLogStore log = new RaftLogStore(s);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          long firstGroup = 1 + (long) w * GROUPS_PER_WRITER;
          writers.add(Thread.ofPlatform().start(() -> {
            while (true) {
              BatchPlan p = nextPlan(ids.incrementAndGet(), firstGroup, model);
              try {
                log.commit(p.toWalBatch());
                model.apply(p);
              } catch (StoreException e) {
                failed.add(p);
                errors.add(e);
                return;
              }
            }
          }));
        }
        for (Thread t : writers) {
          t.join();
        }
        assertEquals(WRITERS, errors.size(), "every writer got its error");
        String first = null;
        for (StoreException e : errors) {
          String m = e.getMessage();
          assertTrue(m.startsWith("store " + dir + ": ") && m.contains("No space left on device"),
              m);
          if (!m.startsWith(refusal)) {
            assertTrue(m.startsWith("store " + dir + ": synced write failed: While appending to"
                + " file: " + dir + "/") && m.endsWith(".log: No space left on device"), m);
            first = m;
          }
        }
        assertTrue(first != null, "some writer saw the write itself fail: " + errors);
        String expected = refusal + first;
        StoreException again = assertTimeoutPreemptively(Duration.ofSeconds(2), () ->
            assertThrows(StoreException.class,
                () -> log.commit(nextPlan(ids.incrementAndGet(), 1, model).toWalBatch())));
        assertEquals(expected, again.getMessage());
        System.out.printf(Locale.ROOT, "full disk: %d entries acknowledged, then: %s%n",
            model.entryCount(), first);
      }
    });

    StoreException whileFull = assertThrows(StoreException.class,
        () -> Store.open(dir, OPTIONS).close());
    assertTrue(whileFull.getMessage().startsWith("store " + dir + ": cannot open: ")
        && whileFull.getMessage().contains("No space left on device"), whileFull.getMessage());

    Files.delete(filler);
    try (Store s = Store.open(dir, OPTIONS)) {
      RaftLogStore log = new RaftLogStore(s);
      LogModel.Settled settled = model.assertMatches(model.read(log), failed);
      assertEquals(WRITERS, settled.present() + settled.absent());
      System.out.printf(Locale.ROOT, "full disk: after freeing space, %d failed batches found"
          + " complete and %d absent%n", settled.present(), settled.absent());
      s.verifyChecksums();
      BatchPlan after = nextPlan(ids.incrementAndGet(), 1, model);
      log.commit(after.toWalBatch());
      model.apply(after);
      model.assertMatches(model.read(new RaftLogStore(s)), List.of());
    }
  }

  /** One batch of 16 entries for each of a writer's groups, with a hard state. */
  private static BatchPlan nextPlan(long id, long firstGroup, LogModel model) {
    List<BatchPlan.Part> parts = new ArrayList<>();
    for (long g = firstGroup; g < firstGroup + GROUPS_PER_WRITER; g++) {
      long first = model.group(g).lastIndex() + 1;
      parts.add(new BatchPlan.Part(g, null, new BatchPlan.Entries(first, first + 15, 1),
          new RaftHardState(1, id, first)));
    }
    return new BatchPlan(id, parts);
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }
}
