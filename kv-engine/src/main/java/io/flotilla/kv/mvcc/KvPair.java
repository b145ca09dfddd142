package io.flotilla.kv.mvcc;

/** A user key and the value visible at a read timestamp. */
public record KvPair(byte[] key, byte[] value) {}
