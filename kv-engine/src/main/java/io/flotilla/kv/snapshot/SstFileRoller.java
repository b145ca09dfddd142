package io.flotilla.kv.snapshot;

import io.flotilla.kv.Cf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.EnvOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileWriter;

/**
 * Writes sorted key-values of one column family after another into SST files, starting a new
 * file when the current one holds {@code maxFileBytes} of keys and values: bounded files keep
 * each ingest step and each resend after a failure small. A family without keys gets no file.
 * Not thread-safe.
 */
final class SstFileRoller implements AutoCloseable {
  private final Path dir;
  private final long maxFileBytes;
  private final SnapshotProgress progress;
  private final EnvOptions envOptions = new EnvOptions();
  private final BloomFilter bloom = new BloomFilter(10);
  // Same bloom filter as the store's own tables, so ingested files are as cheap to read.
  private final Options options = new Options()
      .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(bloom));
  private final List<SnapshotFile> files = new ArrayList<>();
  private Cf cf;
  private int seq;
  private SstFileWriter writer;
  private long bytesInFile;
  private long writtenBytes;

  SstFileRoller(Path dir, long maxFileBytes, SnapshotProgress progress) {
    this.dir = dir;
    this.maxFileBytes = maxFileBytes;
    this.progress = progress;
  }

  /** Starts the files of {@code family}; keys must then come in ascending order. */
  void startFamily(Cf family) throws RocksDBException, IOException {
    finishFile();
    cf = family;
    seq = 0;
  }

  void put(byte[] key, byte[] value) throws RocksDBException, IOException {
    if (writer == null) {
      writer = new SstFileWriter(envOptions, options);
      writer.open(dir.resolve(SnapshotFile.nameFor(cf, ++seq)).toString());
      bytesInFile = 0;
    }
    writer.put(key, value);
    bytesInFile += key.length + value.length;
    if (bytesInFile >= maxFileBytes) {
      finishFile();
    }
  }

  /** Finishes the last file and returns every file written, in order. */
  List<SnapshotFile> finish() throws RocksDBException, IOException {
    finishFile();
    return List.copyOf(files);
  }

  private void finishFile() throws RocksDBException, IOException {
    if (writer == null) {
      return;
    }
    try {
      writer.finish();
    } finally {
      writer.close();
      writer = null;
    }
    String name = SnapshotFile.nameFor(cf, seq);
    Path file = dir.resolve(name);
    long size = Files.size(file);
    files.add(new SnapshotFile(name, cf, size, SnapshotDirs.crc32c(file)));
    writtenBytes += size;
    progress.update(SnapshotProgress.Stage.WRITING, writtenBytes, -1);
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
    options.close();
    bloom.close();
    envOptions.close();
  }
}
