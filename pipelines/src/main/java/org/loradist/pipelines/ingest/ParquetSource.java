package org.loradist.pipelines.ingest;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.Row;

/**
 * A Parquet file, read row by row with parquet-hadoop on the executor (not through Spark's reader), so that each
 * file is judged on its own: a missing text column or a damaged file gives rejects, not a failed job. Position =
 * 0-based row. A {@code .parquet.gz} (Parquet needs random access) is first decompressed to a local temp file.
 */
final class ParquetSource extends RecordSource {
  private ParquetReader<Group> reader;
  private File tempFile;
  private long row;
  private boolean opened;
  private boolean finished;

  ParquetSource(String source, InputFormat.Kind kind, Configuration conf, ReaderOptions options) {
    super(source, kind, conf, options);
  }

  @Override
  protected Row computeNext() throws IOException {
    if (finished) {
      return null;
    }
    if (!opened) {
      opened = true;
      Path path = new Path(source);
      if (kind.gzip()) {
        tempFile = File.createTempFile("loradist-ingest-", ".parquet");
        try (InputStream in = openStream()) {
          Files.copy(in, tempFile.toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
        path = new Path(tempFile.toURI());
      }
      if (path.getFileSystem(conf).getFileStatus(path).getLen() == 0) {
        finished = true;
        return reject(0, RejectReason.EMPTY, "");
      }
      reader = ParquetReader.builder(new GroupReadSupport(), path).withConf(conf).build();
    }
    Group group = reader.read();
    if (group == null) {
      finished = true;
      return row == 0 ? reject(0, RejectReason.EMPTY, "") : null;
    }
    return toRow(group, row++);
  }

  private Row toRow(Group group, long position) {
    GroupType schema = group.getType();
    String textField = options.textField();
    if (!schema.containsField(textField) || group.getFieldRepetitionCount(schema.getFieldIndex(textField)) == 0) {
      return reject(position, RejectReason.MISSING_TEXT_FIELD, Samples.ofText(group.toString()));
    }
    int textIndex = schema.getFieldIndex(textField);
    Type textType = schema.getType(textIndex);
    if (!textType.isPrimitive() || textType.isRepetition(Type.Repetition.REPEATED)
        || textType.asPrimitiveType().getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.BINARY) {
      return reject(position, RejectReason.INVALID_TEXT_FIELD, Samples.ofText(group.toString()));
    }
    byte[] textBytes = group.getBinary(textIndex, 0).getBytes();
    boolean replace = options.invalidUtf8() == ReaderOptions.InvalidUtf8Policy.REPLACE;
    Utf8.Decoded decoded = Utf8.decode(textBytes, 0, textBytes.length, replace);
    if (decoded == null) {
      return reject(position, RejectReason.INVALID_UTF8, Samples.ofBytes(textBytes, textBytes.length));
    }
    String text = decoded.text();
    if (text.isBlank()) {
      return reject(position, RejectReason.EMPTY, Samples.ofText(group.toString()));
    }
    Map<String, String> meta = new TreeMap<>();
    meta.put("format", kind.format().metaName);
    if (decoded.replaced()) {
      meta.put("invalid_utf8", "replaced");
    }
    if (text.length() > options.maxDocChars()) {
      if (options.tooLong() == ReaderOptions.TooLongPolicy.REJECT) {
        return reject(position, RejectReason.TOO_LONG, Samples.ofText(text));
      }
      text = Utf8.truncate(text, options.maxDocChars());
      meta.put("truncated", "true");
    }
    if (options.metaFields() != null) {
      for (String field : options.metaFields()) {
        String value = scalar(group, field);
        if (value != null) {
          MetaKeys.put(meta, field, value);
        }
      }
    } else {
      for (Type field : schema.getFields()) {
        String name = field.getName();
        if (!name.equals(textField) && !name.equals(options.idField()) && !name.equals(options.titleField())) {
          String value = scalar(group, name);
          if (value != null) {
            MetaKeys.put(meta, name, value);
          }
        }
      }
    }
    String id = options.idField() == null ? null : scalar(group, options.idField());
    String docId = id != null && !id.isBlank() ? id : Records.stableId(source, position);
    String title = options.titleField() == null ? null : scalar(group, options.titleField());
    return Records.kept(docId, source, position, title, text, meta);
  }

  /** A top-level, non-repeated primitive field as a string; null when absent, null or not a scalar. */
  private static String scalar(Group group, String field) {
    GroupType schema = group.getType();
    if (!schema.containsField(field)) {
      return null;
    }
    int index = schema.getFieldIndex(field);
    Type type = schema.getType(index);
    if (!type.isPrimitive() || type.isRepetition(Type.Repetition.REPEATED)
        || group.getFieldRepetitionCount(index) == 0) {
      return null;
    }
    return group.getValueToString(index, 0);
  }

  @Override
  protected String failureReason(Exception e) {
    String reason = super.failureReason(e);
    return reason.equals(RejectReason.CORRUPT_GZIP) ? reason : RejectReason.INVALID_PARQUET;
  }

  @Override
  protected long failurePosition() {
    return row;
  }

  @Override
  public void close() throws IOException {
    try {
      if (reader != null) {
        reader.close();
        reader = null;
      }
    } finally {
      if (tempFile != null) {
        Files.deleteIfExists(tempFile.toPath());
        tempFile = null;
      }
    }
  }
}
