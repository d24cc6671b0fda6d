package org.loradist.pipelines.adapt;

import java.util.List;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.loradist.lora.AdaptedModel;

/**
 * Spark ML stage: appends the L2-normalised sentence embedding ({@code array<float>}) of a text column, computed by a
 * base model with a LoRA adapter (or the base alone when no adapter is set). One adapted model per task slot of an
 * executor JVM, reused across partitions.
 */
public final class AdaptedEmbedder extends AdapterStage {
  private static final long serialVersionUID = 1L;

  public AdaptedEmbedder() {
    this(Identifiable.randomUID("adaptedEmbedder"));
  }

  public AdaptedEmbedder(String uid) {
    super(uid);
    setDefault(outputCol(), "embedding");
  }

  public static MLReader<AdaptedEmbedder> read() {
    return new DefaultParamsReadable<AdaptedEmbedder>() {}.read();
  }

  @Override
  float[][] compute(AdaptedModel model, List<String> texts) {
    return model.embed(texts);
  }

  @Override
  public AdaptedEmbedder copy(ParamMap extra) {
    return defaultCopy(extra);
  }
}
