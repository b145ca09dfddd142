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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Jepsen register log ({@code INFO  jepsen.util - PROC :TYPE :F VALUE}, fields separated
 * by tabs or spaces) into a register history, using line numbers (from 1) as times so that an
 * explanation points into the file.
 */
final class JepsenLogParser {
  private static final Pattern LINE =
      Pattern.compile(
          "INFO\\s+jepsen\\.util\\s+-\\s+(\\d+)"
              + "\\s+:(invoke|ok|fail|info)\\s+:(read|write|cas)"
              + "\\s+(\\S+(?:\\s+\\S+)?)\\s*");
  private static final Pattern CAS_ARGS = Pattern.compile("\\[(\\d+)\\s+(\\d+)]");

  private record Pending(String f, Input input, long invokeTime) {}

  private JepsenLogParser() {}

  static List<Operation<Input, Output>> parse(List<String> lines) {
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
      int process = Integer.parseInt(m.group(1));
      String type = m.group(2);
      String f = m.group(3);
      String value = m.group(4);
      if (type.equals("invoke")) {
        if (pending.containsKey(process)) {
          throw new IllegalArgumentException(
              "line " + time + ": process " + process + " already has an operation pending");
        }
        pending.put(process, new Pending(f, input(f, value), time));
        continue;
      }
      Pending p = pending.remove(process);
      if (p == null || !p.f().equals(f)) {
        throw new IllegalArgumentException("line " + time + ": no matching invocation");
      }
      switch (type) {
        case "ok" -> history.add(completed(process, p, okOutput(f, value), time));
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
