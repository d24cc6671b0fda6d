package org.loradist.pipelines.ingest;

/** The {@code reject_reason} values the readers emit; short and machine-readable, stable across versions. */
public final class RejectReason {
  private RejectReason() {}

  /** A jsonl line that is not JSON (or has trailing garbage after the value). */
  public static final String INVALID_JSON = "read:invalid_json";
  /** A jsonl line that is valid JSON but not an object. */
  public static final String NOT_AN_OBJECT = "read:not_an_object";
  /** A jsonl/parquet record without the text field, or with it null. */
  public static final String MISSING_TEXT_FIELD = "read:missing_text_field";
  /** A jsonl/parquet record whose text field is not a string. */
  public static final String INVALID_TEXT_FIELD = "read:invalid_text_field";
  /** Bytes that are not UTF-8, under policy REJECT. */
  public static final String INVALID_UTF8 = "read:invalid_utf8";
  /** A file with NUL bytes or many control characters. */
  public static final String BINARY = "read:binary";
  /** An empty file, a blank jsonl line, a blank text, a parquet file without rows, an HTML page without text. */
  public static final String EMPTY = "read:empty";
  /** A document over maxDocChars (or a whole file over maxFileBytes), under policy REJECT. */
  public static final String TOO_LONG = "read:too_long";
  /** A jsonl line over maxLineBytes. */
  public static final String LINE_TOO_LONG = "read:line_too_long";
  /** A file whose extension names no supported format. */
  public static final String UNSUPPORTED_FORMAT = "read:unsupported_format";
  /** A .gz file that is not gzip or is cut short; rows read before the damage are kept. */
  public static final String CORRUPT_GZIP = "read:corrupt_gzip";
  /** A .parquet file that cannot be opened or decoded; rows read before the damage are kept. */
  public static final String INVALID_PARQUET = "read:invalid_parquet";
  /** Any other I/O failure while reading a file; rows read before it are kept. */
  public static final String IO_ERROR = "read:io_error";
}
