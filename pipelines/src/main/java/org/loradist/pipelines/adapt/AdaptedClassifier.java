package org.loradist.pipelines.adapt;

import java.util.List;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.loradist.lora.AdaptedModel;

/**
 * Spark ML stage: appends class probabilities ({@code array<float>}, softmax of the adapter's classifier head over
 * the mean-pooled encoder output, in the adapter's label order) of a text column.
 */
public final class AdaptedClassifier extends AdapterStage {
  private static final long serialVersionUID = 1L;

  public AdaptedClassifier() {
    this(Identifiable.randomUID("adaptedClassifier"));
  }

  public AdaptedClassifier(String uid) {
    super(uid);
    setDefault(outputCol(), "probabilities");
  }

  public static MLReader<AdaptedClassifier> read() {
    return new DefaultParamsReadable<AdaptedClassifier>() {}.read();
  }

  @Override
  float[][] compute(AdaptedModel model, List<String> texts) {
    float[][] logits = model.logits(texts);
    for (float[] row : logits) {
      softmaxInPlace(row);
    }
    return logits;
  }

  /** Numerically stable softmax (max subtracted), in double. */
  static void softmaxInPlace(float[] row) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : row) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] e = new double[row.length];
    for (int i = 0; i < row.length; i++) {
      e[i] = Math.exp(row[i] - max);
      sum += e[i];
    }
    for (int i = 0; i < row.length; i++) {
      row[i] = (float) (e[i] / sum);
    }
  }

  @Override
  public AdaptedClassifier copy(ParamMap extra) {
    return defaultCopy(extra);
  }
}
