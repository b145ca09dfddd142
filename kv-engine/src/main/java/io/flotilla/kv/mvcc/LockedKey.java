package io.flotilla.kv.mvcc;

/** A key and the transaction lock on it. */
public record LockedKey(byte[] key, Lock lock) {}
