package io.flotilla.kv.mvcc;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The value types of an order-preserving key, each with the tag byte that starts its encoding.
 * Tags ascend in the order values of different types sort against each other; all are below
 * 0x80 so that a descending (inverted) tag, at 0x80 or above, tells the decoder the direction.
 * 0x00 and 0xFF are never tags, so a key prefix followed by 0xFF sorts after every tuple that
 * extends the prefix.
 */
public enum KeyType {
  NULL(0x01),
  BOOLEAN(0x10),
  INT16(0x20),
  INT32(0x21),
  INT64(0x22),
  FLOAT32(0x30),
  FLOAT64(0x31),
  DECIMAL(0x40),
  STRING(0x50),
  BYTES(0x51),
  DATE(0x60),
  TIMESTAMP(0x61),
  UUID(0x70);

  private static final KeyType[] BY_TAG = new KeyType[0x80];

  static {
    for (KeyType t : values()) {
      BY_TAG[t.tag] = t;
    }
  }

  private final int tag;

  KeyType(int tag) {
    this.tag = tag;
  }

  /** The ascending tag byte. */
  public int tag() {
    return tag;
  }

  /** The type of {@code value}; refuses classes that have no key encoding. */
  public static KeyType of(Object value) {
    return switch (value) {
      case null -> NULL;
      case Boolean b -> BOOLEAN;
      case Short s -> INT16;
      case Integer i -> INT32;
      case Long l -> INT64;
      case Float f -> FLOAT32;
      case Double d -> FLOAT64;
      case BigDecimal d -> DECIMAL;
      case String s -> STRING;
      case byte[] b -> BYTES;
      case LocalDate d -> DATE;
      case Instant i -> TIMESTAMP;
      case java.util.UUID u -> UUID;
      default -> throw new IllegalArgumentException("no key encoding for "
          + value.getClass().getName() + "; supported: null, Boolean, Short, Integer, Long,"
          + " Float, Double, BigDecimal, String, byte[], LocalDate, Instant, UUID");
    };
  }

  /** The type with ascending tag {@code tag}, or null if none. */
  static KeyType ofTag(int tag) {
    return tag >= 0 && tag < BY_TAG.length ? BY_TAG[tag] : null;
  }
}
