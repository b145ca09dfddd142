package io.flotilla.kv.mvcc;

import java.util.Objects;

/**
 * One key's change in a transaction, prewritten as a lock and applied at commit.
 *
 * @param kind what the transaction does to the key
 * @param key the user key
 * @param value the new value for {@link Kind#PUT}, else null
 */
public record Mutation(Kind kind, byte[] key, byte[] value) {
  /** What a mutation, and so the lock it leaves, does to its key. */
  public enum Kind {
    PUT,
    DELETE,
    /** Writes nothing; locks the key so that a concurrent writer conflicts (SELECT FOR UPDATE). */
    LOCK
  }

  public Mutation {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
    if ((kind == Kind.PUT) != (value != null)) {
      throw new IllegalArgumentException("a " + kind + " mutation "
          + (kind == Kind.PUT ? "needs" : "takes no") + " value");
    }
  }

  public static Mutation put(byte[] key, byte[] value) {
    return new Mutation(Kind.PUT, key, value);
  }

  public static Mutation delete(byte[] key) {
    return new Mutation(Kind.DELETE, key, null);
  }

  public static Mutation lock(byte[] key) {
    return new Mutation(Kind.LOCK, key, null);
  }
}
