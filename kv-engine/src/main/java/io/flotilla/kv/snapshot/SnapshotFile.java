package io.flotilla.kv.snapshot;

import io.flotilla.kv.Cf;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SST file of a range snapshot, as listed in its manifest.
 *
 * <p>Names are {@code <cf>-<6 digits>.sst} (e.g. {@code write-000002.sst}): the name alone says
 * which column family the file belongs to, and because a name can never hold a path separator,
 * a hostile or broken sender cannot make the receiver write outside its staging directory.
 *
 * @param name the file's name within the snapshot
 * @param cf the column family it is ingested into; must agree with the name
 * @param sizeBytes the file's exact size
 * @param crc32c CRC32C of the whole file
 */
public record SnapshotFile(String name, Cf cf, long sizeBytes, int crc32c) {
  private static final Pattern NAME = Pattern.compile("(data|lock|write)-[0-9]{6}\\.sst");

  public SnapshotFile {
    checkName(name, cf);
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("file " + name + " has negative size " + sizeBytes);
    }
  }

  /** The name of the {@code seq}-th file (from 1) of column family {@code cf}. */
  static String nameFor(Cf cf, int seq) {
    return String.format("%s-%06d.sst", cf.rocksName(), seq);
  }

  /** Refuses a name that is not a snapshot file name, or that belongs to another family. */
  static void checkName(String name, Cf cf) {
    Matcher m = NAME.matcher(name == null ? "" : name);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a snapshot file name"
          + " (expected <data|lock|write>-<6 digits>.sst)");
    }
    if (cf == null || !m.group(1).equals(cf.rocksName())) {
      throw new IllegalArgumentException("file " + name + " is labelled with column family "
          + (cf == null ? "none" : cf.rocksName()) + ", which its name contradicts");
    }
  }
}
