package io.flotilla.server;

import java.util.ArrayList;
import java.util.List;

/**
 * The statements of {@code flotilla txn}: {@code put KEY VALUE}, {@code get KEY}, {@code del
 * KEY}, {@code scan START [END]}, separated by {@code ;} or line breaks. Words are separated by
 * blanks; a word in single or double quotes may hold blanks and {@code ;}. A line whose first
 * word starts with {@code #} is a comment.
 */
final class TxnScript {
  private TxnScript() {}

  sealed interface Statement permits Put, Get, Del, Scan {}

  record Put(String key, String value) implements Statement {}

  record Get(String key) implements Statement {}

  record Del(String key) implements Statement {}

  /** @param end exclusive; null: to the last key */
  record Scan(String start, String end) implements Statement {}

  /** A script that cannot run; the message names the statement by number and text. */
  static final class BadScript extends Exception {
    private static final long serialVersionUID = 1L;

    BadScript(String message) {
      super(message);
    }
  }

  static List<Statement> parse(String script) throws BadScript {
    List<Statement> out = new ArrayList<>();
    List<String> words = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i <= script.length(); i++) {
      char c = i < script.length() ? script.charAt(i) : '\n';
      if (quote != 0 && i == script.length()) {
        throw new BadScript("statement " + (out.size() + 1) + " ('" + text.toString().strip()
            + "'): the " + quote + " quote is never closed");
      }
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        word = word == null ? new StringBuilder() : word;
      } else if (c == ';' || c == '\n') {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
        if (!words.isEmpty() && !words.get(0).startsWith("#")) {
          out.add(statement(out.size() + 1, text.toString().strip(), words));
        }
        words.clear();
        text.setLength(0);
        continue;
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
      text.append(c);
    }
    if (out.isEmpty()) {
      throw new BadScript("no statements");
    }
    return out;
  }

  private static Statement statement(int number, String text, List<String> w)
      throws BadScript {
    String op = w.get(0);
    int args = w.size() - 1;
    String where = "statement " + number + " ('" + text + "'): ";
    if (!op.equals("scan") && w.size() > 1 && w.get(1).isEmpty()) {
      throw new BadScript(where + "an empty key");
    }
    return switch (op) {
      case "put" -> {
        arity(where, op, args, 2, 2, "KEY VALUE");
        yield new Put(w.get(1), w.get(2));
      }
      case "get" -> {
        arity(where, op, args, 1, 1, "KEY");
        yield new Get(w.get(1));
      }
      case "del" -> {
        arity(where, op, args, 1, 1, "KEY");
        yield new Del(w.get(1));
      }
      case "scan" -> {
        arity(where, op, args, 1, 2, "START [END]");
        yield new Scan(w.get(1), args == 2 ? w.get(2) : null);
      }
      default -> throw new BadScript(where + "unknown statement '" + op
          + "'; expected put, get, del or scan");
    };
  }

  private static void arity(String where, String op, int args, int min, int max, String shape)
      throws BadScript {
    if (args < min || args > max) {
      throw new BadScript(where + op + " takes " + shape + ", got " + args + " word"
          + (args == 1 ? "" : "s") + " (quote a value with blanks)");
    }
  }
}
