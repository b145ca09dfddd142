package io.flotilla.kv.crash;

import io.flotilla.kv.LogEntry;
import io.flotilla.kv.RaftHardState;
import io.flotilla.kv.TruncatedState;
import io.flotilla.kv.WalBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What one {@link WalBatch} of the crash writer holds, in a form both processes share: the child
 * prints it before committing ({@code BEGIN}) and after the commit returned ({@code ACK}); the
 * parent parses it to know what must (or may) be on disk. Entry payloads are not printed: they
 * follow from (group, index, term, batch id) through {@link EntryData}.
 *
 * <p>Text form: {@code <id> <part> <part> ...}, each part
 * {@code <group>[:s<index>@<term>][:e<first>-<last>@<term>][:h<term>,<vote>,<commit>]} in the
 * order the batch applies them (snapshot, then entries, then hard state).
 *
 * @param id unique over all cycles of a run, never 0
 * @param parts one per group, at most one per group
 */
record BatchPlan(long id, List<Part> parts) {
  /** A snapshot installed by the batch; its membership bytes are the batch id. */
  record Snapshot(long index, long term) {}

  /** Entries {@code first..last} (inclusive), all of {@code term}. */
  record Entries(long first, long last, long term) {}

  /** One group's part; any of the three may be null, but not all. */
  record Part(long group, Snapshot snapshot, Entries entries, RaftHardState hardState) {}

  BatchPlan {
    parts = List.copyOf(parts);
  }

  static byte[] membership(long batchId) {
    return ByteBuffer.allocate(8).putLong(batchId).array();
  }

  WalBatch toWalBatch() {
    WalBatch b = new WalBatch();
    for (Part p : parts) {
      if (p.snapshot() != null) {
        b.installSnapshot(p.group(), new TruncatedState(p.snapshot().index(),
            p.snapshot().term(), membership(id)));
      }
      if (p.entries() != null) {
        b.append(p.group(), entries(p.group(), p.entries(), id));
      }
      if (p.hardState() != null) {
        b.setHardState(p.group(), p.hardState());
      }
    }
    return b;
  }

  static List<LogEntry> entries(long group, Entries e, long batchId) {
    List<LogEntry> out = new ArrayList<>((int) (e.last() - e.first() + 1));
    for (long i = e.first(); i <= e.last(); i++) {
      out.add(new LogEntry(i, e.term(), EntryData.type(group, i, e.term(), batchId),
          EntryData.of(group, i, e.term(), batchId)));
    }
    return out;
  }

  int entryCount() {
    int n = 0;
    for (Part p : parts) {
      if (p.entries() != null) {
        n += (int) (p.entries().last() - p.entries().first() + 1);
      }
    }
    return n;
  }

  String format() {
    StringBuilder sb = new StringBuilder().append(id);
    for (Part p : parts) {
      sb.append(' ').append(p.group());
      if (p.snapshot() != null) {
        sb.append(":s").append(p.snapshot().index()).append('@').append(p.snapshot().term());
      }
      if (p.entries() != null) {
        sb.append(":e").append(p.entries().first()).append('-').append(p.entries().last())
            .append('@').append(p.entries().term());
      }
      if (p.hardState() != null) {
        RaftHardState h = p.hardState();
        sb.append(":h").append(h.term()).append(',').append(h.vote()).append(',')
            .append(h.commit());
      }
    }
    return sb.toString();
  }

  static BatchPlan parse(String text) {
    String[] tokens = text.trim().split(" ");
    List<Part> parts = new ArrayList<>();
    for (int i = 1; i < tokens.length; i++) {
      String[] f = tokens[i].split(":");
      Snapshot s = null;
      Entries e = null;
      RaftHardState h = null;
      for (int j = 1; j < f.length; j++) {
        String v = f[j].substring(1);
        switch (f[j].charAt(0)) {
          case 's' -> {
            String[] a = v.split("@");
            s = new Snapshot(Long.parseLong(a[0]), Long.parseLong(a[1]));
          }
          case 'e' -> {
            String[] a = v.split("[-@]");
            e = new Entries(Long.parseLong(a[0]), Long.parseLong(a[1]), Long.parseLong(a[2]));
          }
          case 'h' -> {
            String[] a = v.split(",");
            h = new RaftHardState(Long.parseLong(a[0]), Long.parseLong(a[1]),
                Long.parseLong(a[2]));
          }
          default -> throw new IllegalArgumentException("bad batch part " + tokens[i]);
        }
      }
      parts.add(new Part(Long.parseLong(f[0]), s, e, h));
    }
    return new BatchPlan(Long.parseLong(tokens[0]), parts);
  }
}
