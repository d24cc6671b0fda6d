package org.loradist.pipelines.ingest;

import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;

/** A file with an extension the reader does not know: one reject, with its first bytes as the sample. */
final class UnsupportedSource extends RecordSource {
  private boolean emitted;

  UnsupportedSource(String source, InputFormat.Kind kind, Configuration conf, ReaderOptions options) {
    super(source, kind, conf, options);
  }

  @Override
  protected Row computeNext() throws Exception {
    if (emitted) {
      return null;
    }
    emitted = true;
    byte[] head;
    try (InputStream in = openStream()) {
      head = in.readNBytes(Samples.SAMPLE_CHARS * 4);
    } catch (Exception e) {
      return reject(0, RejectReason.UNSUPPORTED_FORMAT, Samples.ofText(e.toString()));
    }
    return reject(0, RejectReason.UNSUPPORTED_FORMAT, Samples.ofBytes(head, head.length));
  }

  @Override
  protected long failurePosition() {
    return 0;
  }

  @Override
  public void close() {}
}
