package org.loradist.pipelines.ingest;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;

/**
 * The records of one input file, read lazily on an executor. It never throws: a failure while reading becomes one
 * last reject row (rows read before it are kept), so one bad file cannot fail the job.
 */
abstract class RecordSource implements Iterator<Row>, Closeable {
  protected final String source;
  protected final InputFormat.Kind kind;
  protected final Configuration conf;
  protected final ReaderOptions options;
  private Row pending;
  private boolean done;

  RecordSource(String source, InputFormat.Kind kind, Configuration conf, ReaderOptions options) {
    this.source = source;
    this.kind = kind;
    this.conf = conf;
    this.options = options;
  }

  static RecordSource open(String source, Configuration conf, ReaderOptions options) {
    InputFormat.Kind kind = InputFormat.of(source);
    return switch (kind.format()) {
      case TXT, MARKDOWN, HTML -> new WholeFileSource(source, kind, conf, options);
      case JSONL -> new JsonlSource(source, kind, conf, options);
      case PARQUET -> new ParquetSource(source, kind, conf, options);
      case UNSUPPORTED -> new UnsupportedSource(source, kind, conf, options);
    };
  }

  /** The next row, or null when the file has no more. */
  protected abstract Row computeNext() throws Exception;

  /** Where a failure in {@link #computeNext} is reported: the record being read. */
  protected abstract long failurePosition();

  /** The reject reason for a failure while reading. */
  protected String failureReason(Exception e) {
    if (kind.gzip() && (e instanceof ZipException || e instanceof EOFException)) {
      return RejectReason.CORRUPT_GZIP;
    }
    return RejectReason.IO_ERROR;
  }

  @Override
  public final boolean hasNext() {
    if (pending != null) {
      return true;
    }
    if (done) {
      return false;
    }
    try {
      pending = computeNext();
    } catch (Exception e) {
      pending = reject(failurePosition(), failureReason(e), Samples.ofText(e.toString()));
      done = true;
    }
    if (pending == null) {
      done = true;
    }
    if (done) {
      closeQuietly();
    }
    return pending != null;
  }

  @Override
  public final Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException(source);
    }
    Row row = pending;
    pending = null;
    return row;
  }

  protected final Row reject(long position, String reason, String sample) {
    return Records.reject(source, position, kind.format(), reason, sample);
  }

  /** The file's bytes, decompressed when its name ends in .gz. */
  protected final InputStream openStream() throws IOException {
    Path path = new Path(source);
    InputStream raw = path.getFileSystem(conf).open(path, 1 << 16);
    try {
      // buffered in both cases: the jsonl reader marks and resets to sniff the first bytes
      return new BufferedInputStream(kind.gzip() ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  final void closeQuietly() {
    try {
      close();
    } catch (IOException | RuntimeException ignored) {
      // nothing is left to read from this file; a failing close must not fail the task
    }
  }
}
