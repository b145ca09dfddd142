package io.flotilla.kv.mvcc;

/**
 * A stored MVCC record could not be decoded: the message names the record type and what is
 * wrong. Never retried or skipped: serving past a corrupt record could return wrong data.
 */
public final class CorruptRecordException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CorruptRecordException(String recordType, String problem) {
    super("corrupt " + recordType + " record: " + problem);
  }
}
