package org.loradist.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.loradist.model.DecoderBatches;
import org.loradist.model.ForwardContext;
import org.loradist.model.GenerationConfig;
import org.loradist.model.Generator;
import org.loradist.model.Gpt2Model;
import org.loradist.model.PretrainedDecoder;
import org.loradist.text.TextTokenizer;
import org.loradist.train.TensorSpec;
import org.loradist.weights.HostTensor;
import org.loradist.weights.ModelCache;

/**
 * A GPT-2 with an adapter applied, for inference: text generation and, when the adapter carries a {@code score}
 * head, last-token class logits. The adapters are merged into copies of their weights at load ({@code W + s (BA)^T}
 * for the Conv1D layout); the shared base stays untouched. One instance per thread.
 */
public final class AdaptedDecoder implements AutoCloseable {
  private static final int BATCH = 16;
  public static final String HEAD = "score";

  private final PretrainedDecoder base;
  private final Gpt2Model model;
  private final TextTokenizer tokenizer;
  private final NDManager manager;
  private final NDArray head;
  private final int maxTokens;

  private AdaptedDecoder(PretrainedDecoder base, PeftAdapter adapter, int maxTokens) {
    this.base = base;
    this.maxTokens = Math.min(maxTokens, base.config().nPositions());
    this.model = base.newModel();
    this.tokenizer = base.newTokenizer(base.config().nPositions());
    this.manager = NDManager.newBaseManager();
    NDArray h = null;
    if (adapter != null) {
      LoraAdapters adapters = LoraInjector.inject(model, adapter.config());
      List<TensorSpec> specs = new ArrayList<>(adapters.specs());
      HostTensor hw = adapter.savedModules().get(HEAD + ".weight");
      if (hw != null) {
        specs.add(new TensorSpec(HEAD + ".weight", new int[] {(int) hw.shape()[0], (int) hw.shape()[1]}));
      }
      float[][] values = adapter.valuesFor(specs);
      int nLora = adapters.specs().size();
      adapters.bind(manager, Arrays.copyOf(values, nLora), false);
      adapters.merge(manager);
      if (hw != null) {
        h = manager.create(values[nLora], new Shape(hw.shape()));
      }
    }
    this.head = h;
  }

  /**
   * {@code modelPath} (a GPT-2 directory) with {@code adapter} (null: the base model); texts to classify are cut at
   * {@code maxTokens} as in training.
   */
  public static AdaptedDecoder load(String modelPath, PeftAdapter adapter, int maxTokens) throws IOException {
    return new AdaptedDecoder(ModelCache.getDecoder(modelPath), adapter, maxTokens);
  }

  public static AdaptedDecoder load(String modelPath, PeftAdapter adapter) throws IOException {
    return load(modelPath, adapter, Integer.MAX_VALUE);
  }

  public PretrainedDecoder base() {
    return base;
  }

  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  public int eosTokenId() {
    return base.config().eosTokenId();
  }

  /** The prompt's token ids as generation reads them (BOS alone for an empty prompt). */
  public long[] promptIds(String prompt) {
    long[] ids = tokenizer.encodeContent(prompt).ids();
    return ids.length == 0 ? new long[] {base.config().bosTokenId()} : ids;
  }

  /** New token ids after {@code prompt}. */
  public Generator.Result generateIds(String prompt, GenerationConfig config) {
    return Generator.generate(model, promptIds(prompt), config, false);
  }

  /** The continuation of {@code prompt} as text (EOS not included). */
  public String generate(String prompt, GenerationConfig config) {
    Generator.Result r = generateIds(prompt, config);
    long[] tokens = r.stoppedAtEos() ? Arrays.copyOf(r.tokens(), r.tokens().length - 1) : r.tokens();
    return tokenizer.decode(tokens);
  }

  public boolean hasHead() {
    return head != null;
  }

  /** Class logits from each text's last real token (texts cut at maxTokens), in input order. */
  public float[][] logits(List<String> texts) {
    if (head == null) {
      throw new IllegalStateException("this adapter has no '" + HEAD + "' head: it generates, it does not classify");
    }
    return perLastToken(texts, states -> ai.djl.nn.core.Linear.linear(states, head).singletonOrThrow());
  }

  /**
   * The final (ln_f) hidden state of each text's last real token (texts cut at maxTokens): what the classification
   * head reads, and, from the base model, the features of a frozen-model baseline.
   */
  public float[][] lastTokenStates(List<String> texts) {
    return perLastToken(texts, states -> states);
  }

  /** The merged model, for scoring sequences (inference only: its weights carry no gradients). */
  public Gpt2Model model() {
    return model;
  }

  private float[][] perLastToken(List<String> texts, java.util.function.UnaryOperator<NDArray> map) {
    float[][] out = new float[texts.size()][];
    for (int from = 0; from < texts.size(); from += BATCH) {
      List<long[]> rows = new ArrayList<>();
      for (int i = from; i < Math.min(texts.size(), from + BATCH); i++) {
        long[] ids = promptIds(texts.get(i));
        rows.add(ids.length > maxTokens ? Arrays.copyOf(ids, maxTokens) : ids);
      }
      try (NDManager scope = manager.newSubManager()) {
        NDArray result = map.apply(DecoderBatches.lastTokenStates(model, scope, rows, ForwardContext.inference()));
        int width = (int) result.getShape().get(1);
        float[] flat = result.toFloatArray();
        for (int j = 0; j < rows.size(); j++) {
          out[from + j] = Arrays.copyOfRange(flat, j * width, (j + 1) * width);
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
