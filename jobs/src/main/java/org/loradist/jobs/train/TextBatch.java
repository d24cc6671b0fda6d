package org.loradist.jobs.train;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Texts held on the driver, run through a Spark ML stage on the executors and brought back in their order: the
 * evaluation's model calls (embeddings, class predictions) run where the models are, spread over the cluster.
 */
final class TextBatch {
  static final String INDEX = "idx";
  static final String TEXT = "text";
  private static final StructType SCHEMA = new StructType().add(INDEX, DataTypes.IntegerType, false)
      .add(TEXT, DataTypes.StringType, false);

  private final SparkSession spark;
  private final List<String> texts;

  TextBatch(SparkSession spark, List<String> texts) {
    this.spark = spark;
    this.texts = texts;
  }

  Dataset<Row> frame() {
    List<Row> rows = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      rows.add(RowFactory.create(i, texts.get(i)));
    }
    // a local relation is scanned in defaultParallelism slices: every executor gets a share, no shuffle
    return spark.createDataFrame(rows, SCHEMA);
  }

  /** {@code column} of {@code stage}'s output, one value per text, in input order. */
  List<Object> run(Transformer stage, String column) {
    List<Row> out = stage.transform(frame()).select(INDEX, column).collectAsList();
    List<Object> ordered = new ArrayList<>(java.util.Collections.nCopies(texts.size(), null));
    for (Row r : out) {
      ordered.set(r.getInt(0), r.get(1));
    }
    return ordered;
  }

  /** An {@code array<float>} column as vectors, in input order. */
  float[][] vectors(Transformer stage, String column) {
    float[][] out = new float[texts.size()][];
    for (Row r : stage.transform(frame()).select(INDEX, column).collectAsList()) {
      if (r.isNullAt(1)) {
        throw new IllegalStateException("no " + column + " for text " + r.getInt(0) + " (blank?)");
      }
      List<Float> list = r.getList(1);
      float[] a = new float[list.size()];
      for (int j = 0; j < a.length; j++) {
        a[j] = list.get(j);
      }
      out[r.getInt(0)] = a;
    }
    return out;
  }
}
