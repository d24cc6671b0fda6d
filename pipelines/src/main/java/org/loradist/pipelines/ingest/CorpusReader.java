package org.loradist.pipelines.ingest;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SerializableWritable;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.TaskCompletionListener;
import org.loradist.pipelines.Schemas;

/**
 * Reads corpus files into rows of {@link Schemas#RECORDS}: one row per input record, kept or rejected.
 *
 * <p>Formats by extension: {@code .txt}, {@code .md}/{@code .markdown} and {@code .html}/{@code .htm} (one
 * document per file, position 0), {@code .jsonl}/{@code .ndjson} (one per line, position = 1-based line) and
 * {@code .parquet} (one per row, position = 0-based row); {@code .gz} on any of them. Files are listed on the
 * driver and read on executors, one file at a time and streaming, so no file is ever held whole in memory beyond
 * the document limits in {@link ReaderOptions}.
 *
 * <p>The result is lazy: every action reads the files again. Persist it when it is used more than once.
 */
public final class CorpusReader {
  private CorpusReader() {}

  /** Files per partition when there are many small ones: enough partitions for balance, few enough for overhead. */
  private static final int PARTITIONS_PER_CORE = 4;

  /**
   * @param paths files, directories (read recursively) or Hadoop globs; a comma-separated list is split by the
   *     caller
   * @throws IllegalArgumentException naming the path when a path matches no file
   */
  public static Dataset<Row> read(SparkSession spark, List<String> paths, ReaderOptions options) {
    Configuration hadoopConf = new Configuration(spark.sparkContext().hadoopConfiguration());
    List<InputFiles.InputFile> files = InputFiles.resolve(hadoopConf, paths);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int maxPartitions = Math.max(1, jsc.defaultParallelism() * PARTITIONS_PER_CORE);
    List<List<String>> groups = new ArrayList<>();
    for (List<InputFiles.InputFile> group : InputFiles.balance(files, maxPartitions)) {
      groups.add(group.stream().map(InputFiles.InputFile::path).toList());
    }
    Broadcast<SerializableWritable<Configuration>> conf = jsc.broadcast(new SerializableWritable<>(hadoopConf));
    JavaRDD<Row> rows = jsc.parallelize(groups, groups.size())
        .flatMap(group -> readGroup(group, conf.value().value(), options));
    return spark.createDataFrame(rows, Schemas.RECORDS);
  }

  private static Iterator<Row> readGroup(List<String> paths, Configuration conf, ReaderOptions options) {
    FilesIterator rows = new FilesIterator(paths.iterator(), conf, options);
    TaskContext task = TaskContext.get();
    if (task != null) {
      // a task that stops early (limit, failure) must still close the file it was reading
      task.addTaskCompletionListener((TaskCompletionListener) context -> rows.closeCurrent());
    }
    return rows;
  }

  /** The rows of several files, one after the other, each file opened only when the previous one is done. */
  private static final class FilesIterator implements Iterator<Row> {
    private final Iterator<String> paths;
    private final Configuration conf;
    private final ReaderOptions options;
    private RecordSource current;

    FilesIterator(Iterator<String> paths, Configuration conf, ReaderOptions options) {
      this.paths = paths;
      this.conf = conf;
      this.options = options;
    }

    @Override
    public boolean hasNext() {
      while (current == null || !current.hasNext()) {
        closeCurrent();
        if (!paths.hasNext()) {
          return false;
        }
        current = RecordSource.open(paths.next(), conf, options);
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      return current.next();
    }

    void closeCurrent() {
      if (current != null) {
        current.closeQuietly();
        current = null;
      }
    }
  }
}
