package io.flotilla.check;

import io.flotilla.check.RegisterModel.Cas;
import io.flotilla.check.RegisterModel.Input;
import io.flotilla.check.RegisterModel.Output;
import io.flotilla.check.RegisterModel.Read;
import io.flotilla.check.RegisterModel.Write;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Jepsen register log ({@code INFO  jepsen.util - PROC :TYPE :F VALUE}, fields separated
 * by tabs or spaces) into a register history, using line numbers (from 1) as times so that an
 * explanation points into the file. In main sources so that {@code flotilla check-history} can
 * use it; the format is described in {@code shared/histories/README.md}.
 */
public final class JepsenLogParser {
  private static final Pattern LINE =
      Pattern.compile(
          "INFO\\s+jepsen\\.util\\s+-\\s+(\\d+)"
              + "\\s+:(invoke|ok|fail|info)\\s+:(read|write|cas)"
              + "\\s+(\\S+(?:\\s+\\S+)?)\\s*");
  private static final Pattern CAS_ARGS = Pattern.compile("\\[(\\d+)\\s+(\\d+)]");

  private record Pending(String f, Input input, long invokeTime) {}

  private JepsenLogParser() {}

  /**
   * The register history of a log's lines.
   *
   * @throws IllegalArgumentException naming the line (from 1) that is not a Jepsen register
   *     event or that breaks the one-operation-per-process rule
   */
  public static List<Operation<Input, Output>> parse(List<String> lines) {
    List<Operation<Input, Output>> history = new ArrayList<>();
    // One operation in flight per process; insertion order keeps the parse deterministic.
    Map<Integer, Pending> pending = new LinkedHashMap<>();
    for (int time = 1; time <= lines.size(); time++) {
      String line = lines.get(time - 1);
      if (line.isBlank()) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("line " + time + ": unrecognised: " + line);
      }
      int process = at(time, line, () -> Integer.parseInt(m.group(1)));
      String type = m.group(2);
      String f = m.group(3);
      String value = m.group(4);
      if (type.equals("invoke")) {
        if (pending.containsKey(process)) {
          throw new IllegalArgumentException(
              "line " + time + ": process " + process + " already has an operation pending");
        }
        pending.put(process, new Pending(f, at(time, line, () -> input(f, value)), time));
        continue;
      }
      Pending p = pending.remove(process);
      if (p == null || !p.f().equals(f)) {
        throw new IllegalArgumentException("line " + time + ": no matching invocation");
      }
      switch (type) {
        case "ok" ->
            history.add(completed(process, p, at(time, line, () -> okOutput(f, value)), time));
        // A failed compare-and-set is a completed operation whose comparison did not match; a
        // failed read or write certainly had no effect and no result, so it constrains nothing.
        case "fail" -> {
          if (f.equals("cas")) {
            history.add(completed(process, p, Output.failure(), time));
          }
        }
        // An unknown read constrains nothing either; an unknown write may have happened.
        default -> {
          if (!f.equals("read")) {
            history.add(Operation.unknown(process, p.input(), p.invokeTime()));
          }
        }
      }
    }
    pending.forEach(
        (process, p) -> {
          if (!p.f().equals("read")) {
            history.add(Operation.unknown(process, p.input(), p.invokeTime()));
          }
        });
    return history;
  }

  /** Parses a value of line {@code time}; a bad one (a number too large) names the line. */
  private static <T> T at(int time, String line, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "line " + time + ": bad value (" + e.getMessage() + "): " + line, e);
    }
  }

  private static Operation<Input, Output> completed(
      int process, Pending p, Output output, long time) {
    return new Operation<>(process, p.input(), output, p.invokeTime(), time);
  }

  private static Input input(String f, String value) {
    return switch (f) {
      case "read" -> new Read();
      case "write" -> new Write(Integer.parseInt(value));
      default -> {
        Matcher m = CAS_ARGS.matcher(value);
        if (!m.matches()) {
          throw new IllegalArgumentException("bad cas arguments: " + value);
        }
        yield new Cas(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
      }
    };
  }

  private static Output okOutput(String f, String value) {
    if (f.equals("read")) {
      return Output.read(value.equals("nil") ? null : Integer.valueOf(value));
    }
    return Output.success();
  }
}
