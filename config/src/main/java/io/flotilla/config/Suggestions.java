package io.flotilla.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * "Did you mean ...?" for misspelt names: setting keys, environment variables, command-line
 * flags. Public because the command line of the {@code flotilla} tool reuses it for its flags.
 */
public final class Suggestions {
  private Suggestions() {}

  /**
   * The candidate closest to {@code input}, if it is close enough to be a likely typo: at most
   * {@code max(2, input.length() / 4)} edits, where swapping two adjacent characters counts as
   * one edit (the commonest typo, {@code eleciton}). Case is ignored. Ties go to the candidate
   * that sorts first, so the answer does not depend on the collection's order.
   */
  public static Optional<String> closest(String input, Collection<String> candidates) {
    String needle = input.toLowerCase(Locale.ROOT);
    int limit = Math.max(2, needle.length() / 4);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(needle, candidate.toLowerCase(Locale.ROOT));
      boolean better = d < bestDistance || (d == bestDistance && candidate.compareTo(best) < 0);
      if (d <= limit && better) {
        best = candidate;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Optimal string alignment distance: insertions, deletions, substitutions and transpositions
   * of adjacent characters each cost one. Inputs are short names, so the full table is fine.
   */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int best = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          best = Math.min(best, d[i - 2][j - 2] + 1);
        }
        d[i][j] = best;
      }
    }
    return d[a.length()][b.length()];
  }
}
