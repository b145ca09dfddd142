package io.flotilla.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A key-value map with {@code put(key, value)} and {@code get(key) -> value or null}.
 *
 * <p>Every operation touches one key, so the history is checked key by key ({@link #partition});
 * the state is therefore the value of a single key, {@code null} while absent.
 *
 * @param <K> keys, compared with {@code equals}
 * @param <V> values, compared with {@code equals}; never {@code null}
 */
public final class KvModel<K, V> implements Model<V, KvModel.Op<K, V>, V> {

  /** An operation on one key. */
  public sealed interface Op<K, V> {
    K key();
  }

  public record Put<K, V>(K key, V value) implements Op<K, V> {
    public Put {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value (a get returning null means absent)");
    }
  }

  public record Get<K, V>(K key) implements Op<K, V> {
    public Get {
      Objects.requireNonNull(key, "key");
    }
  }

  /** A put that was acknowledged at {@code returnTime}. */
  public static <K, V> Operation<Op<K, V>, V> put(
      int clientId, K key, V value, long invokeTime, long returnTime) {
    return new Operation<>(clientId, new Put<>(key, value), null, invokeTime, returnTime);
  }

  /** A put whose acknowledgement never came: it may or may not have taken effect. */
  public static <K, V> Operation<Op<K, V>, V> putUnknown(
      int clientId, K key, V value, long invokeTime) {
    return Operation.unknown(clientId, new Put<>(key, value), invokeTime);
  }

  /** A get that returned {@code observed}, {@code null} meaning the key was absent. */
  public static <K, V> Operation<Op<K, V>, V> get(
      int clientId, K key, V observed, long invokeTime, long returnTime) {
    return new Operation<>(clientId, new Get<>(key), observed, invokeTime, returnTime);
  }

  @Override
  public V init() {
    return null;
  }

  @Override
  public boolean legal(V state, Op<K, V> input, V output) {
    return switch (input) {
      case Put<K, V> put -> true;
      case Get<K, V> get -> Objects.equals(state, output);
    };
  }

  @Override
  public V apply(V state, Op<K, V> input) {
    return switch (input) {
      case Put<K, V> put -> put.value();
      case Get<K, V> get -> state;
    };
  }

  @Override
  public List<List<Operation<Op<K, V>, V>>> partition(List<Operation<Op<K, V>, V>> history) {
    // Insertion order keeps the order in which keys are checked, and so the verdict of a check
    // that runs out of budget, independent of the keys' hash codes.
    Map<K, List<Operation<Op<K, V>, V>>> byKey = new LinkedHashMap<>();
    for (Operation<Op<K, V>, V> op : history) {
      byKey.computeIfAbsent(op.input().key(), k -> new ArrayList<>()).add(op);
    }
    return List.copyOf(byKey.values());
  }

  @Override
  public String describe(Op<K, V> input) {
    return switch (input) {
      case Put<K, V> put -> "put(" + put.key() + ", " + put.value() + ")";
      case Get<K, V> get -> "get(" + get.key() + ")";
    };
  }

  @Override
  public String describe(Op<K, V> input, V output) {
    return switch (input) {
      case Put<K, V> put -> describe(input);
      case Get<K, V> get -> describe(input) + " -> " + (output == null ? "absent" : output);
    };
  }
}
