package org.loradist.pipelines.ingest;

import java.io.Serializable;
import java.util.List;

/**
 * How {@link CorpusReader} turns input files into records.
 *
 * @param textField field holding the document text (jsonl, parquet)
 * @param idField field holding the record's own id, or null: ids are then a stable hash of source and position
 * @param titleField field holding the title, or null for none (jsonl, parquet)
 * @param metaFields fields copied into {@code meta} as strings; null means every other top-level scalar field
 * @param invalidUtf8 what to do with bytes that are not valid UTF-8
 * @param maxDocChars longest document text in UTF-16 chars
 * @param tooLong what to do with a document over {@code maxDocChars}
 * @param maxLineBytes longest jsonl line in bytes; a longer line is a {@code read:line_too_long} reject
 * @param maxFileBytes most decompressed bytes read from one whole-file document (txt, md, html); beyond it the
 *     document is {@code read:too_long} (REJECT) or read as its prefix (TRUNCATE)
 */
public record ReaderOptions(
    String textField,
    String idField,
    String titleField,
    List<String> metaFields,
    InvalidUtf8Policy invalidUtf8,
    int maxDocChars,
    TooLongPolicy tooLong,
    int maxLineBytes,
    long maxFileBytes) implements Serializable {

  public enum InvalidUtf8Policy { REPLACE, REJECT }

  public enum TooLongPolicy { REJECT, TRUNCATE }

  public static final int DEFAULT_MAX_DOC_CHARS = 1_000_000;
  public static final int DEFAULT_MAX_LINE_BYTES = 8 << 20;
  public static final long DEFAULT_MAX_FILE_BYTES = 64L << 20;
  public static final long MAX_FILE_BYTES_LIMIT = 1L << 30;

  public ReaderOptions {
    require(textField != null && !textField.isBlank(), "textField", textField, "a non-empty field name");
    require(idField == null || !idField.isBlank(), "idField", idField, "a non-empty field name or null");
    require(titleField == null || !titleField.isBlank(), "titleField", titleField, "a non-empty field name or null");
    if (metaFields != null) {
      for (String field : metaFields) {
        require(field != null && !field.isBlank(), "metaFields", metaFields, "non-empty field names");
      }
      metaFields = List.copyOf(metaFields);
    }
    require(invalidUtf8 != null, "invalidUtf8", null, "REPLACE or REJECT");
    require(tooLong != null, "tooLong", null, "REJECT or TRUNCATE");
    require(maxDocChars > 0, "maxDocChars", maxDocChars, "a positive number");
    require(maxLineBytes > 0, "maxLineBytes", maxLineBytes, "a positive number");
    require(maxFileBytes > 0 && maxFileBytes <= MAX_FILE_BYTES_LIMIT, "maxFileBytes", maxFileBytes,
        "a positive number up to " + MAX_FILE_BYTES_LIMIT + " (one document is held in memory)");
  }

  public static ReaderOptions defaults() {
    return new ReaderOptions("text", null, "title", null, InvalidUtf8Policy.REPLACE, DEFAULT_MAX_DOC_CHARS,
        TooLongPolicy.REJECT, DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_FILE_BYTES);
  }

  public ReaderOptions withTextField(String value) {
    return new ReaderOptions(value, idField, titleField, metaFields, invalidUtf8, maxDocChars, tooLong,
        maxLineBytes, maxFileBytes);
  }

  public ReaderOptions withIdField(String value) {
    return new ReaderOptions(textField, value, titleField, metaFields, invalidUtf8, maxDocChars, tooLong,
        maxLineBytes, maxFileBytes);
  }

  public ReaderOptions withTitleField(String value) {
    return new ReaderOptions(textField, idField, value, metaFields, invalidUtf8, maxDocChars, tooLong,
        maxLineBytes, maxFileBytes);
  }

  public ReaderOptions withMetaFields(List<String> value) {
    return new ReaderOptions(textField, idField, titleField, value, invalidUtf8, maxDocChars, tooLong,
        maxLineBytes, maxFileBytes);
  }

  public ReaderOptions withInvalidUtf8(InvalidUtf8Policy value) {
    return new ReaderOptions(textField, idField, titleField, metaFields, value, maxDocChars, tooLong,
        maxLineBytes, maxFileBytes);
  }

  public ReaderOptions withMaxDocChars(int value) {
    return new ReaderOptions(textField, idField, titleField, metaFields, invalidUtf8, value, tooLong,
        maxLineBytes, maxFileBytes);
  }

  public ReaderOptions withTooLong(TooLongPolicy value) {
    return new ReaderOptions(textField, idField, titleField, metaFields, invalidUtf8, maxDocChars, value,
        maxLineBytes, maxFileBytes);
  }

  public ReaderOptions withMaxLineBytes(int value) {
    return new ReaderOptions(textField, idField, titleField, metaFields, invalidUtf8, maxDocChars, tooLong,
        value, maxFileBytes);
  }

  public ReaderOptions withMaxFileBytes(long value) {
    return new ReaderOptions(textField, idField, titleField, metaFields, invalidUtf8, maxDocChars, tooLong,
        maxLineBytes, value);
  }

  /**
   * Bytes to read of a txt/md document before it is certainly over {@code maxDocChars}: a UTF-8 sequence of
   * up to 4 bytes decodes to at least one char, so 4 bytes per char plus one incomplete sequence is enough.
   */
  long plainTextByteCap() {
    return Math.min(maxFileBytes, 4L * maxDocChars + 8);
  }

  private static void require(boolean ok, String option, Object value, String allowed) {
    if (!ok) {
      throw new IllegalArgumentException(
          "reader option " + option + " = " + value + " is invalid: expected " + allowed);
    }
  }
}
