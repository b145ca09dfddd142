package io.flotilla.check;

import java.util.Objects;

/**
 * A single integer register with read, write and compare-and-set, initially empty ({@code null}):
 * the object Jepsen's etcd and Knossos register tests exercise.
 */
public final class RegisterModel
    implements Model<Integer, RegisterModel.Input, RegisterModel.Output> {

  public sealed interface Input {}

  public record Read() implements Input {}

  public record Write(int value) implements Input {}

  /** Sets the register to {@code newValue} if it holds {@code expected}. */
  public record Cas(int expected, int newValue) implements Input {}

  /**
   * What an operation returned: {@code value} for a read ({@code null} when empty), {@code ok} for
   * a compare-and-set (whether the comparison matched). A write that certainly failed did not
   * happen, so it belongs in no history.
   */
  public record Output(boolean ok, Integer value) {
    public static Output read(Integer value) {
      return new Output(true, value);
    }

    public static Output success() {
      return new Output(true, null);
    }

    public static Output failure() {
      return new Output(false, null);
    }
  }

  @Override
  public Integer init() {
    return null;
  }

  @Override
  public boolean legal(Integer state, Input input, Output output) {
    return switch (input) {
      case Read r -> Objects.equals(state, output.value());
      case Write w -> true;
      case Cas cas -> output.ok() == Objects.equals(state, cas.expected());
    };
  }

  @Override
  public Integer apply(Integer state, Input input) {
    return switch (input) {
      case Read r -> state;
      case Write w -> w.value();
      // Boxed explicitly: a mixed int/Integer conditional would unbox an empty register.
      case Cas cas ->
          Objects.equals(state, cas.expected()) ? Integer.valueOf(cas.newValue()) : state;
    };
  }

  @Override
  public String describe(Input input) {
    return switch (input) {
      case Read r -> "read()";
      case Write w -> "write(" + w.value() + ")";
      case Cas cas -> "cas(" + cas.expected() + ", " + cas.newValue() + ")";
    };
  }

  @Override
  public String describe(Input input, Output output) {
    return switch (input) {
      case Read r -> "read() -> " + (output.value() == null ? "nil" : output.value());
      case Write w -> describe(input);
      case Cas cas -> describe(input) + " -> " + (output.ok() ? "ok" : "fail");
    };
  }
}
