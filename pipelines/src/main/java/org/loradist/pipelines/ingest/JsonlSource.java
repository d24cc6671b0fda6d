package org.loradist.pipelines.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;

/** A jsonl/ndjson file: one record per line, position = 1-based line number; file-level rejects at position 0. */
final class JsonlSource extends RecordSource {
  /** Lines are already bounded by maxLineBytes; Jackson's own string limit must not reject what that allows. */
  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
      .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private InputStream in;
  private LineReader lines;
  private long lineNumber;
  private boolean finished;

  JsonlSource(String source, InputFormat.Kind kind, Configuration conf, ReaderOptions options) {
    super(source, kind, conf, options);
  }

  @Override
  protected Row computeNext() throws IOException {
    if (finished) {
      return null;
    }
    if (lines == null) {
      in = openStream();
      in.mark(ByteSniffer.SNIFF_BYTES + 1);
      byte[] head = in.readNBytes(ByteSniffer.SNIFF_BYTES);
      in.reset();
      if (head.length == 0) {
        finished = true;
        return reject(0, RejectReason.EMPTY, "");
      }
      if (ByteSniffer.looksBinary(head, head.length)) {
        finished = true;
        return reject(0, RejectReason.BINARY, Samples.ofBytes(head, head.length));
      }
      lines = new LineReader(in, options.maxLineBytes());
    }
    if (!lines.next()) {
      return null;
    }
    lineNumber++;
    return parseLine(lines.bytes(), lines.length(), lines.tooLong());
  }

  private Row parseLine(byte[] bytes, int length, boolean tooLong) {
    if (tooLong) {
      return reject(lineNumber, RejectReason.LINE_TOO_LONG, Samples.ofBytes(bytes, length));
    }
    if (isBlank(bytes, length)) {
      return reject(lineNumber, RejectReason.EMPTY, "");
    }
    // the common case, valid UTF-8, is parsed from the bytes: no intermediate String of the whole line
    boolean valid = Utf8.isValid(bytes, 0, length);
    if (!valid && options.invalidUtf8() == ReaderOptions.InvalidUtf8Policy.REJECT) {
      return reject(lineNumber, RejectReason.INVALID_UTF8, Samples.ofBytes(bytes, length));
    }
    JsonNode record;
    try {
      record = valid
          ? JSON.readTree(bytes, 0, length)
          : JSON.readTree(new String(bytes, 0, length, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return reject(lineNumber, RejectReason.INVALID_JSON, Samples.ofBytes(bytes, length));
    }
    if (record == null || !record.isObject()) {
      return reject(lineNumber, RejectReason.NOT_AN_OBJECT, Samples.ofBytes(bytes, length));
    }
    JsonNode textNode = lookup(record, options.textField());
    if (textNode == null || textNode.isNull()) {
      return reject(lineNumber, RejectReason.MISSING_TEXT_FIELD, Samples.ofBytes(bytes, length));
    }
    if (!textNode.isTextual()) {
      return reject(lineNumber, RejectReason.INVALID_TEXT_FIELD, Samples.ofBytes(bytes, length));
    }
    String text = textNode.textValue();
    if (text.isBlank()) {
      return reject(lineNumber, RejectReason.EMPTY, Samples.ofBytes(bytes, length));
    }
    Map<String, String> meta = new TreeMap<>();
    meta.put("format", kind.format().metaName);
    if (!valid) {
      meta.put("invalid_utf8", "replaced");
    }
    if (text.length() > options.maxDocChars()) {
      if (options.tooLong() == ReaderOptions.TooLongPolicy.REJECT) {
        return reject(lineNumber, RejectReason.TOO_LONG, Samples.ofBytes(bytes, length));
      }
      text = Utf8.truncate(text, options.maxDocChars());
      meta.put("truncated", "true");
    }
    addMeta(record, meta);
    String id = scalarText(options.idField() == null ? null : lookup(record, options.idField()));
    String docId = id != null && !id.isBlank() ? id : Records.stableId(source, lineNumber);
    String title = options.titleField() == null ? null : scalarText(lookup(record, options.titleField()));
    return Records.kept(docId, source, lineNumber, title, text, meta);
  }

  /** Listed meta fields (containers as compact JSON), or else every other top-level scalar field. */
  private void addMeta(JsonNode record, Map<String, String> meta) {
    if (options.metaFields() != null) {
      for (String field : options.metaFields()) {
        JsonNode value = lookup(record, field);
        if (value != null && !value.isNull()) {
          MetaKeys.put(meta, field, value.isValueNode() ? value.asText() : value.toString());
        }
      }
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      if (value.isValueNode() && !value.isNull() && !name.equals(options.textField())
          && !name.equals(options.idField()) && !name.equals(options.titleField())) {
        MetaKeys.put(meta, name, value.asText());
      }
    }
  }

  /** A top-level field, or else a dotted path into nested objects ({@code a.b}). */
  private static JsonNode lookup(JsonNode record, String field) {
    JsonNode direct = record.get(field);
    if (direct != null || field.indexOf('.') < 0) {
      return direct;
    }
    JsonNode node = record;
    for (String part : field.split("\\.")) {
      node = node.get(part);
      if (node == null) {
        return null;
      }
    }
    return node;
  }

  private static String scalarText(JsonNode node) {
    return node != null && node.isValueNode() && !node.isNull() ? node.asText() : null;
  }

  private static boolean isBlank(byte[] bytes, int length) {
    for (int i = 0; i < length; i++) {
      byte b = bytes[i];
      if (b != ' ' && b != '\t' && b != '\r' && b != '\f') {
        return false;
      }
    }
    return true;
  }

  @Override
  protected long failurePosition() {
    return lineNumber + 1;
  }

  @Override
  public void close() throws IOException {
    if (in != null) {
      in.close();
      in = null;
    }
  }
}
