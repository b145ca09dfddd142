package io.flotilla.multiraft.client;

/** A user key and its value, as a scan returns them and a batch put takes them. */
public record KvEntry(byte[] key, byte[] value) {}
