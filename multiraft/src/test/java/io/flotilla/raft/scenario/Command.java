package io.flotilla.raft.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One command line of a scenario, tokenized: {@code name arg arg key=value key=(1,2) (3,4)
 * "quoted text"}. Whitespace separates arguments except inside quotes and parentheses.
 *
 * @param name the command
 * @param args the arguments in order
 * @param line the line as written, for error messages
 */
record Command(String name, List<Arg> args, String line) {

  /**
   * One argument. A bare word or quoted text has {@code keyed == false} and its text as key; a
   * bare {@code (1,2)} list has an empty key; {@code key=value} and {@code key=(a,b)} are keyed.
   */
  record Arg(String key, List<String> values, boolean keyed) {}

  static Command parse(String line) {
    List<String> tokens = tokenize(line);
    if (tokens.isEmpty()) {
      throw new ScenarioException("empty command line");
    }
    List<Arg> args = new ArrayList<>();
    for (String t : tokens.subList(1, tokens.size())) {
      args.add(toArg(t));
    }
    return new Command(tokens.get(0), args, line);
  }

  private static List<String> tokenize(String line) {
    List<String> tokens = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    int depth = 0;
    for (char c : line.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == '(') {
        depth++;
      } else if (!quoted && c == ')') {
        depth--;
      }
      if (Character.isWhitespace(c) && !quoted && depth == 0) {
        if (!cur.isEmpty()) {
          tokens.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(c);
      }
    }
    if (quoted || depth != 0) {
      throw new ScenarioException("unbalanced quotes or parentheses in: " + line);
    }
    if (!cur.isEmpty()) {
      tokens.add(cur.toString());
    }
    return tokens;
  }

  private static Arg toArg(String token) {
    if (token.startsWith("\"")) {
      return new Arg(token.substring(1, token.length() - 1), List.of(), false);
    }
    if (token.startsWith("(")) {
      return new Arg("", list(token), false);
    }
    int eq = token.indexOf('=');
    if (eq < 0) {
      return new Arg(token, List.of(), false);
    }
    String value = token.substring(eq + 1);
    List<String> values = value.startsWith("(") ? list(value)
        : List.of(value.startsWith("\"") ? value.substring(1, value.length() - 1) : value);
    return new Arg(token.substring(0, eq), values, true);
  }

  private static List<String> list(String parenthesized) {
    String inner = parenthesized.substring(1, parenthesized.length() - 1).trim();
    if (inner.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String s : inner.split(",")) {
      out.add(s.trim());
    }
    return out;
  }

  // ------------------------------------------------------------------ accessors

  /** Fails on keys the command does not know: a misspelt option must not be silently ignored. */
  Command allowKeys(String... keys) {
    Set<String> ok = Set.of(keys);
    for (Arg a : args) {
      if (a.keyed() && !ok.contains(a.key())) {
        throw new ScenarioException(name + ": unknown option " + a.key() + "; known: " + ok);
      }
    }
    return this;
  }

  List<Arg> positional() {
    return args.stream().filter(a -> !a.keyed()).toList();
  }

  String word(int i) {
    List<Arg> pos = positional();
    if (i >= pos.size()) {
      throw new ScenarioException(name + ": missing argument " + (i + 1));
    }
    return pos.get(i).key();
  }

  long id(int i) {
    return toLong(word(i));
  }

  boolean hasWord(int i) {
    return positional().size() > i;
  }

  Arg keyed(String key) {
    for (Arg a : args) {
      if (a.keyed() && a.key().equals(key)) {
        return a;
      }
    }
    return null;
  }

  String str(String key, String dflt) {
    Arg a = keyed(key);
    return a == null ? dflt : single(a);
  }

  long num(String key, long dflt) {
    Arg a = keyed(key);
    return a == null ? dflt : toLong(single(a));
  }

  boolean bool(String key, boolean dflt) {
    Arg a = keyed(key);
    if (a == null) {
      return dflt;
    }
    String v = single(a);
    if (!v.equals("true") && !v.equals("false")) {
      throw new ScenarioException(name + ": " + key + " must be true or false, got " + v);
    }
    return v.equals("true");
  }

  /** The ids of a keyed list such as {@code drop=(2,3)}, or null if the key is absent. */
  List<Long> ids(String key) {
    Arg a = keyed(key);
    return a == null ? null : a.values().stream().map(Command::toLong).toList();
  }

  private String single(Arg a) {
    if (a.values().size() != 1) {
      throw new ScenarioException(name + ": " + a.key() + " takes one value");
    }
    return a.values().get(0);
  }

  static long toLong(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new ScenarioException("not a number: " + s);
    }
  }
}
