package org.loradist.jobs.train;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.config.ConfigException;

/**
 * Example files of train/eval/replay: jsonl (one JSON object a line) or parquet, a file or a folder of them,
 * gzip-compressed or not. JSON lines that do not parse are kept apart as rejects rather than dropped.
 */
public final class TrainInput {
  static final String CORRUPT = "_corrupt_record";

  public enum Format { JSONL, PARQUET }

  /** The readable rows and the raw text of the lines that were not JSON. */
  public record Read(String path, Dataset<Row> rows, List<String> malformed) {}

  private TrainInput() {}

  /** The files a path stands for (a file, or the visible files of a folder), sorted by name. */
  static List<FileStatus> files(String path, Configuration conf) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    if (!fs.exists(p)) {
      return List.of();
    }
    FileStatus st = fs.getFileStatus(p);
    if (st.isFile()) {
      return List.of(st);
    }
    List<FileStatus> out = new ArrayList<>();
    for (FileStatus f : fs.listStatus(p)) {
      String name = f.getPath().getName();
      if (f.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
        out.add(f);
      }
    }
    out.sort((a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
    return out;
  }

  /** By file name: .parquet is Parquet; .jsonl/.json/.ndjson (optionally .gz) is jsonl. */
  static Format format(String path, List<FileStatus> files, String flag) {
    Format found = null;
    for (FileStatus f : files) {
      Format fmt = formatOf(f.getPath().getName());
      if (fmt == null) {
        continue;
      }
      if (found != null && found != fmt) {
        throw new ConfigException(path + " mixes jsonl and parquet files (" + flag + ")");
      }
      found = fmt;
    }
    if (found == null) {
      throw new ConfigException(path + " holds no .jsonl, .json, .ndjson or .parquet file (gzip allowed) (" + flag
          + ")");
    }
    return found;
  }

  static Format formatOf(String fileName) {
    String n = fileName.toLowerCase(Locale.ROOT);
    if (n.endsWith(".gz")) {
      n = n.substring(0, n.length() - 3);
    }
    if (n.endsWith(".parquet")) {
      return Format.PARQUET;
    }
    if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) {
      return Format.JSONL;
    }
    return null;
  }

  /** Reads a training input with Spark. */
  public static Read read(SparkSession spark, String path, String flag) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<FileStatus> files;
    try {
      files = files(path, conf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + path + ": " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new ConfigException("input not found or empty: " + path + " (" + flag + ")");
    }
    Format format = format(path, files, flag);
    List<String> paths = files.stream().filter(f -> formatOf(f.getPath().getName()) == format)
        .map(f -> f.getPath().toString()).toList();
    if (format == Format.PARQUET) {
      return new Read(path, spark.read().parquet(paths.toArray(String[]::new)), List.of());
    }
    Dataset<Row> all = spark.read().option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
        .json(paths.toArray(String[]::new));
    if (!List.of(all.columns()).contains(CORRUPT)) {
      return new Read(path, all, List.of());
    }
    // Spark refuses queries on the corrupt-record column alone unless the parsed rows are materialised first.
    all = all.cache();
    List<String> malformed = all.filter(col(CORRUPT).isNotNull()).select(CORRUPT).collectAsList().stream()
        .map(r -> r.getString(0)).toList();
    return new Read(path, all.filter(col(CORRUPT).isNull()).drop(CORRUPT), malformed);
  }
}
