package org.loradist.pipelines.infer;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.loradist.model.DefaultModel;

/**
 * The params of a stage that runs a model over a text column: the text column in ({@code inputCol}, default
 * {@code text}), the column out ({@code outputCol}), the model ({@code modelPath}, default {@code default}) and the
 * truncation length ({@code maxTokens}). Each stage words their docs for what it computes.
 */
public abstract class TextModelStage extends Transformer {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final Param<String> modelPath;
  private final IntParam maxTokens;

  protected TextModelStage(String uid, String inputDoc, String outputDoc, String modelPathDoc) {
    this.uid = uid;
    inputCol = new Param<>(this, "inputCol", inputDoc);
    outputCol = new Param<>(this, "outputCol", outputDoc);
    modelPath = new Param<>(this, "modelPath", modelPathDoc);
    maxTokens = new IntParam(this, "maxTokens", "truncation length in tokens, [CLS]/[SEP] included",
        ParamValidators.inRange(3, 8192));
    setDefault(inputCol, "text");
    setDefault(modelPath, "default");
    setDefault(maxTokens, DefaultModel.DEFAULT_MAX_TOKENS);
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public Param<String> modelPath() {
    return modelPath;
  }

  public IntParam maxTokens() {
    return maxTokens;
  }
}
