package org.loradist.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.Type;
import org.loradist.jobs.config.ConfigException;

/**
 * A look at an example file before Spark starts, so that {@code validate} (and {@code --dry-run}) can refuse a
 * wrong field name or a single-class label column with one line: the field names (jsonl: of the first
 * {@link #MAX_RECORDS} records; parquet: the first file's schema) and the distinct values of one field.
 *
 * @param complete whether every record was read (only then do the values say how many classes there are)
 */
public record InputPeek(String path, Set<String> fields, Set<String> values, boolean complete) {
  static final int MAX_RECORDS = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Returns null when the path's file system cannot be reached from here (a scheme only the cluster knows); the
   * job checks the same things again when it reads the data.
   *
   * @throws ConfigException when the input does not exist or a record is not a JSON object
   */
  public static InputPeek of(String path, String valueField, String flag) {
    List<FileStatus> files;
    Configuration conf = new Configuration();
    try {
      files = TrainInput.files(path, conf);
    } catch (IOException | RuntimeException e) {
      return null;
    }
    if (files.isEmpty()) {
      throw new ConfigException("input not found or empty: " + path + " (" + flag + ")");
    }
    TrainInput.Format format = TrainInput.format(path, files, flag);
    List<FileStatus> ofFormat = files.stream()
        .filter(f -> TrainInput.formatOf(f.getPath().getName()) == format).toList();
    try {
      return format == TrainInput.Format.PARQUET ? parquet(path, ofFormat.get(0), conf)
          : jsonl(path, ofFormat, valueField, conf);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + path + " (" + flag + "): " + e.getMessage());
    }
  }

  private static InputPeek parquet(String path, FileStatus first, Configuration conf) throws IOException {
    Set<String> fields = new LinkedHashSet<>();
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(first, conf))) {
      for (Type t : reader.getFooter().getFileMetaData().getSchema().getFields()) {
        fields.add(t.getName());
      }
    }
    return new InputPeek(path, fields, Set.of(), false);
  }

  private static InputPeek jsonl(String path, List<FileStatus> files, String valueField, Configuration conf)
      throws IOException {
    Set<String> fields = new LinkedHashSet<>();
    Set<String> values = new TreeSet<>();
    int records = 0;
    for (FileStatus f : files) {
      InputStream raw = f.getPath().getFileSystem(conf).open(f.getPath());
      InputStream in = f.getPath().getName().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        long lineNo = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lineNo++;
          if (line.isBlank()) {
            continue;
          }
          if (records == MAX_RECORDS) {
            return new InputPeek(path, fields, values, false);
          }
          records++;
          JsonNode node;
          try {
            node = JSON.readTree(line);
          } catch (IOException e) {
            continue; // a malformed line becomes a reject when the job reads the data
          }
          if (!node.isObject()) {
            continue;
          }
          for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            fields.add(names.next());
          }
          JsonNode v = node.get(valueField);
          if (valueField != null && v != null && !v.isNull() && !v.asText().isBlank()) {
            values.add(v.isValueNode() ? v.asText() : v.toString());
          }
        }
      }
    }
    return new InputPeek(path, fields, values, true);
  }

  /** Refuses an input without {@code field}, naming the flag that sets it and the fields there are. */
  public void require(String field, String role, String flag, String key) {
    if (!fields.contains(field)) {
      throw new ConfigException(path + " has no " + role + " field '" + field + "' (set it with " + flag
          + ", config key '" + key + "'); its fields: " + fields);
    }
  }
}
