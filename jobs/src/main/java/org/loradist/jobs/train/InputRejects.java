package org.loradist.jobs.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.loradist.pipelines.Schemas;
import org.loradist.train.lora.Examples;
import org.loradist.train.lora.Reject;

/**
 * The rows of train's inputs that did not become examples, with why, and per input how many rows were read, kept
 * and rejected (rows = examples + rejected, checked). Written as {@code rejects/} in the {@link Schemas#REJECTS}
 * contract: stage {@code train:<input>} ({@code train:train}, {@code train:eval}, {@code train:replay}), position the
 * row's 0-based index among the input's parsed rows (null for a line that is not JSON, or
 * when only the example's id is known), sample its id (or the line's first bytes).
 */
public final class InputRejects {
  private static final int SAMPLE_CHARS = 200;

  private final List<Row> rows = new ArrayList<>();
  private final Map<String, long[]> counts = new LinkedHashMap<>();

  /** Adds an input's examples and rejects (malformed JSON lines included). */
  public void add(String input, TrainInput.Read read, Examples<?> examples) {
    add(input, read, examples.examples().size(), examples.rejects());
  }

  public void add(String input, TrainInput.Read read, int examples, List<Reject> rejects) {
    String stage = "train:" + input;
    for (String line : read.malformed()) {
      rows.add(RowFactory.create(read.path(), null, stage, "not a JSON object", sample(line)));
    }
    for (Reject r : rejects) {
      rows.add(RowFactory.create(read.path(), r.row() < 0 ? null : r.row(), stage, r.reason(), sample(r.id())));
    }
    long rejected = read.malformed().size() + rejects.size();
    counts.put(input, new long[] {examples + rejected, examples, rejected});
  }

  private static String sample(String s) {
    return s == null || s.length() <= SAMPLE_CHARS ? s : s.substring(0, SAMPLE_CHARS);
  }

  public long total() {
    return rows.size();
  }

  /** {input}_rows, {input}_examples, {input}_rejected for each input, in the order added. */
  public Map<String, Long> counts() {
    Map<String, Long> m = new LinkedHashMap<>();
    counts.forEach((input, c) -> {
      m.put(input + "_rows", c[0]);
      m.put(input + "_examples", c[1]);
      m.put(input + "_rejected", c[2]);
    });
    m.put("rejected", total());
    return m;
  }

  public Dataset<Row> toDataFrame(SparkSession spark) {
    return spark.createDataFrame(rows, Schemas.REJECTS).coalesce(1);
  }

  /** The first reject's reason, for messages. */
  public String firstReason() {
    return rows.isEmpty() ? null : rows.get(0).getString(3);
  }
}
