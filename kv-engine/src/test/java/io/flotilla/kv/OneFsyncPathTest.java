package io.flotilla.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * "No Raft log entry is written with its own fsync anywhere in the code": every main source
 * file of every module is searched for the ways Java can ask RocksDB or the OS to sync, and the
 * only one allowed for RocksDB writes is the WAL committer's ({@code Store.writeSynced}, used by
 * {@code RaftLogStore}). File-level syncs (FileChannel.force) are allowed only for snapshot
 * staging files, which hold no log entries.
 */
class OneFsyncPathTest {
  private static final Pattern ROCKS_SYNC = Pattern.compile("setSync\\(\\s*true|syncWal\\(|"
      + "flushWal\\(\\s*true");
  private static final Pattern FILE_SYNC = Pattern.compile("\\.force\\(|FileDescriptor.*sync\\(");

  @Test
  void onlyTheWalCommitterSyncsRocksDbAndNothingElseSyncsLogEntries() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    List<Path> sources;
    try (Stream<Path> s = Files.walk(root)) {
      sources = s.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> p.toString().contains("/src/main/java/"))
          .filter(p -> !p.toString().contains("/target/"))
          .sorted().toList();
    }
    assertTrue(sources.size() > 50, "found the main sources under " + root);
    List<String> rocksSyncs = new ArrayList<>();
    List<String> fileSyncs = new ArrayList<>();
    for (Path p : sources) {
      List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String where = root.relativize(p) + ":" + (i + 1);
        if (ROCKS_SYNC.matcher(lines.get(i)).find()) {
          rocksSyncs.add(where);
        }
        if (FILE_SYNC.matcher(lines.get(i)).find() && !p.toString().contains("/snapshot/")) {
          fileSyncs.add(where);
        }
      }
    }
    assertEquals(1, rocksSyncs.size(), "RocksDB syncs: " + rocksSyncs);
    assertTrue(rocksSyncs.get(0).startsWith("kv-engine/src/main/java/io/flotilla/kv/Store.java"),
        rocksSyncs.toString());
    assertEquals(List.of(), fileSyncs, "file syncs outside snapshot staging");
  }
}
