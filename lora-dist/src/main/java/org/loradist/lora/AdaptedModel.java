package org.loradist.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.loradist.model.BatchPlan;
import org.loradist.model.BertEncoder;
import org.loradist.model.EncoderInput;
import org.loradist.model.ForwardContext;
import org.loradist.model.PretrainedModel;
import org.loradist.text.TextTokenizer;
import org.loradist.text.TokenizedText;
import org.loradist.train.TensorSpec;
import org.loradist.weights.HostTensor;
import org.loradist.weights.ModelCache;

/**
 * A base model with an adapter applied, for inference: sentence embeddings (mean-pooled, L2-normalised) and, when
 * the adapter carries a {@code classifier} head, class logits of the mean-pooled output. By default the adapters are
 * merged into copies of their weights at load (one matmul per linear, as a plain model); unmerged, every forward runs
 * base + LoRA branch as in training. Either way the shared base stays untouched. One instance per thread.
 */
public final class AdaptedModel implements AutoCloseable {
  private static final int BATCH_TOKENS = 8192;
  private static final int MAX_BATCH = 64;

  private final PretrainedModel model;
  private final BertEncoder encoder;
  private final TextTokenizer tokenizer;
  private final NDManager manager;
  private final NDArray headWeight;
  private final NDArray headBias;

  private AdaptedModel(PretrainedModel model, PeftAdapter adapter, int maxTokens, boolean mergeWeights) {
    this.model = model;
    this.encoder = model.newEncoder();
    this.tokenizer = model.newTokenizer(Math.min(maxTokens, model.config().maxPositionEmbeddings()));
    this.manager = NDManager.newBaseManager();
    NDArray w = null;
    NDArray b = null;
    if (adapter != null) {
      LoraAdapters adapters = LoraInjector.inject(encoder, adapter.config());
      List<TensorSpec> specs = new ArrayList<>(adapters.specs());
      HostTensor hw = adapter.savedModules().get("classifier.weight");
      HostTensor hb = adapter.savedModules().get("classifier.bias");
      if (hw != null) {
        specs.add(new TensorSpec("classifier.weight", new int[] {(int) hw.shape()[0], (int) hw.shape()[1]}));
        if (hb != null) {
          specs.add(new TensorSpec("classifier.bias", new int[] {(int) hb.shape()[0]}));
        }
      }
      float[][] values = adapter.valuesFor(specs);
      float[][] lora = java.util.Arrays.copyOf(values, adapters.specs().size());
      adapters.bind(manager, lora, false);
      if (mergeWeights) {
        adapters.merge(manager);
      }
      if (hw != null) {
        w = manager.create(values[lora.length], new Shape(hw.shape()));
        b = hb != null ? manager.create(values[lora.length + 1], new Shape(hb.shape()))
            : manager.zeros(new Shape(hw.shape()[0]));
      }
    }
    this.headWeight = w;
    this.headBias = b;
  }

  /** {@code modelPath} ("default" or a Hugging Face directory) with {@code adapter} (null: the base model). */
  public static AdaptedModel load(String modelPath, PeftAdapter adapter, int maxTokens) throws IOException {
    return load(modelPath, adapter, maxTokens, true);
  }

  /** As {@link #load(String, PeftAdapter, int)}; {@code mergeWeights} false keeps the LoRA branch live. */
  public static AdaptedModel load(String modelPath, PeftAdapter adapter, int maxTokens, boolean mergeWeights)
      throws IOException {
    return new AdaptedModel(ModelCache.get(modelPath), adapter, maxTokens, mergeWeights);
  }

  /** The tokenizer inputs go through (truncating at the {@code maxTokens} given at load). */
  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  public PretrainedModel model() {
    return model;
  }

  public boolean hasHead() {
    return headWeight != null;
  }

  public int classes() {
    if (headWeight == null) {
      throw new IllegalStateException("this adapter has no classifier head");
    }
    return (int) headWeight.getShape().get(0);
  }

  /** L2-normalised sentence embeddings, in input order. */
  public float[][] embed(List<String> texts) {
    return run(texts, false);
  }

  /** Class logits of the mean-pooled output, in input order. */
  public float[][] logits(List<String> texts) {
    if (headWeight == null) {
      throw new IllegalStateException("this adapter has no classifier head: it embeds, it does not classify");
    }
    return run(texts, true);
  }

  /** The argmax class of each text. */
  public int[] predict(List<String> texts) {
    float[][] logits = logits(texts);
    int[] out = new int[logits.length];
    for (int i = 0; i < logits.length; i++) {
      int best = 0;
      for (int c = 1; c < logits[i].length; c++) {
        if (logits[i][c] > logits[i][best]) {
          best = c;
        }
      }
      out[i] = best;
    }
    return out;
  }

  private float[][] run(List<String> texts, boolean classify) {
    List<TokenizedText> tokens = new ArrayList<>(texts.size());
    int[] lengths = new int[texts.size()];
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i) == null) {
        throw new IllegalArgumentException("text " + i + " is null");
      }
      tokens.add(tokenizer.encode(texts.get(i)));
      lengths[i] = tokens.get(i).length();
    }
    float[][] out = new float[texts.size()][];
    for (int[] batch : BatchPlan.plan(lengths, BATCH_TOKENS, MAX_BATCH)) {
      List<TokenizedText> members = new ArrayList<>(batch.length);
      for (int i : batch) {
        members.add(tokens.get(i));
      }
      try (NDManager scope = manager.newSubManager()) {
        EncoderInput in = EncoderInput.of(scope, members);
        NDArray pooled = encoder.pool(encoder.hiddenStates(in, ForwardContext.inference()), in.attentionMask());
        NDArray result = classify ? ai.djl.nn.core.Linear.linear(pooled, headWeight, headBias).singletonOrThrow()
            : BertEncoder.normalize(pooled);
        int width = (int) result.getShape().get(1);
        float[] flat = result.toFloatArray();
        for (int j = 0; j < batch.length; j++) {
          out[batch[j]] = java.util.Arrays.copyOfRange(flat, j * width, (j + 1) * width);
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
    tokenizer.close();
  }
}
