package org.loradist.jobs;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.config.ConfigException;

/** Small tabular inputs (queries, judgements, gold labels, training examples): jsonl (gzip too) or Parquet. */
final class InputTables {
  private InputTables() {}

  /** Reads {@code path}; {@code what} names it in errors ("queries file"); every field in {@code required} must exist. */
  static Dataset<Row> read(SparkSession spark, String path, String what, List<String> required) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
    if (!fs.exists(p)) {
      throw new ConfigException(what + " not found: " + path);
    }
    Dataset<Row> ds = isParquet(fs, p) ? spark.read().parquet(path)
        : spark.read().option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", "_corrupt_record")
            .json(path);
    List<String> columns = List.of(ds.columns());
    for (String f : required) {
      if (!columns.contains(f)) {
        throw new ConfigException(what + " " + path + " has no field '" + f + "' (fields: "
            + columns.stream().filter(c -> !c.equals("_corrupt_record")).toList() + ")");
      }
    }
    return ds;
  }

  private static boolean isParquet(FileSystem fs, Path p) throws IOException {
    if (p.getName().endsWith(".parquet")) {
      return true;
    }
    if (fs.getFileStatus(p).isDirectory()) {
      for (FileStatus st : fs.listStatus(p)) {
        if (st.getPath().getName().endsWith(".parquet")) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code DIR/name} when a job output folder holds it, else {@code DIR} itself. */
  static String part(SparkSession spark, String dir, String name, String what) throws IOException {
    Path p = new Path(dir);
    FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
    if (!fs.exists(p)) {
      throw new ConfigException(what + " not found: " + dir);
    }
    Path nested = new Path(p, name);
    return fs.exists(nested) ? nested.toString() : p.toString();
  }

  /**
   * What a job output (or Parquet) folder holds: "rankings", "predictions" or "embeddings", by its part folders
   * (rankings/, predictions/, embeddings/) or else by the columns of the Parquet in it.
   */
  static String kind(SparkSession spark, String dir, String what) throws IOException {
    Path p = new Path(dir);
    FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
    if (!fs.exists(p)) {
      throw new ConfigException(what + " not found: " + dir);
    }
    for (String k : List.of("rankings", "predictions", "embeddings")) {
      if (fs.exists(new Path(p, k))) {
        return k;
      }
    }
    List<String> columns = List.of(spark.read().parquet(dir).columns());
    if (columns.contains("rank")) {
      return "rankings";
    }
    if (columns.contains("probabilities")) {
      return "predictions";
    }
    if (columns.contains("embedding")) {
      return "embeddings";
    }
    throw new ConfigException(what + " " + dir + " holds no rankings, predictions or embeddings (columns: " + columns
        + ")");
  }
}
