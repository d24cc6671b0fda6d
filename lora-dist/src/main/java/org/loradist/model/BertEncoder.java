package org.loradist.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT encoder (Hugging Face {@code BertModel} without the pooler) on DJL NDArrays with PyTorch kernels.
 *
 * <pre>
 * embeddings:  x = LayerNorm(word[ids] + position[0..T) + token_type[types]);  dropout
 * each layer:  a = softmax(Q K^T / sqrt(d) + mask) V   (per head, padding masked out; dropout on the probabilities)
 *              x = LayerNorm(x + dropout(attention.output.dense(a)))
 *              x = LayerNorm(x + dropout(output.dense(gelu(intermediate.dense(x)))))
 * pooling:     mean over the attention mask, or the [CLS] state; then L2 normalisation
 * </pre>
 *
 * Parameters are a map from Hugging Face names to NDArrays and are never modified here; every linear goes through
 * {@link Linear}, looked up by module name, so LoRA wraps a linear with {@link #replaceLinear} and leaves this file
 * alone. All parameters share one float type, which is the compute type: FLOAT32 today (the forward is written for
 * a lower one too, pooling and normalising in float32, but see {@link Precision#BF16}). Intermediate arrays live in the manager of the
 * input arrays, so a per-batch sub-manager frees them. Gradients flow under DJL's GradientCollector to whichever
 * tensors require them (the base parameters don't).
 *
 * <p>An instance is cheap (it only points at the parameters), so each user — an embed task, a trainer — builds its own
 * and may wrap its linears without affecting others sharing the same cached weights.
 */
public final class BertEncoder implements LinearModules {
  private final EncoderConfig config;
  private final NamedParameters parameters;
  private final ModuleLinears linears;
  private final DataType computeType;

  public BertEncoder(EncoderConfig config, Map<String, NDArray> parameters) {
    this.config = config;
    this.parameters = new NamedParameters(parameters);
    this.computeType = checkParameters(config, parameters);
    MklCpuDispatch.ensureApplied(); // before this JVM's first matmul
    this.linears = new ModuleLinears(linearModuleNames(config), this.parameters, DenseLinear::new);
  }

  public EncoderConfig config() {
    return config;
  }

  /** The base parameters by Hugging Face name (read-only view). */
  public Map<String, NDArray> parameters() {
    return parameters.asMap();
  }

  /** The parameters' (and activations') data type. */
  public DataType computeType() {
    return computeType;
  }

  /** The linear that module {@code name} (e.g. {@code encoder.layer.0.attention.self.query}) currently uses. */
  @Override
  public Linear linear(String name) {
    return linears.linear(name);
  }

  /** Module names of all linears, in forward order. */
  @Override
  public List<String> linearNames() {
    return linears.linearNames();
  }

  /** Puts {@code replacement} (e.g. a LoRA wrapper of {@link #linear}) in place of module {@code name}. */
  @Override
  public void replaceLinear(String name, Linear replacement) {
    linears.replaceLinear(name, replacement);
  }

  /** Sentence embeddings: pooled, L2-normalised, float32 [batch, hidden]. */
  public NDArray embed(EncoderInput input, ForwardContext ctx) {
    checkWidth(input);
    List<EncoderInput> slices = slices(input);
    if (slices.size() == 1) {
      return normalize(pool(forward(input, ctx), input.attentionMask()));
    }
    // pooled per slice, so only the small [rows, hidden] results are concatenated; so each slice can also drop the
    // padding columns that none of its rows needs
    NDList pooled = new NDList(slices.size());
    for (EncoderInput slice : slices) {
      pooled.add(normalize(pool(forward(slice, ctx), slice.attentionMask())));
    }
    return NDArrays.concat(pooled, 0);
  }

  /**
   * The last layer's token states, float32 [batch, tokens, hidden], before pooling. Not sliced (unlike
   * {@link #embed}): training runs through here, and its per-example dropout plan covers the whole batch, while
   * autograd would keep every slice's activations until backward anyway.
   */
  public NDArray hiddenStates(EncoderInput input, ForwardContext ctx) {
    checkWidth(input);
    return forward(input, ctx);
  }

  /**
   * The rows of {@code input} in slices that the forward runs one at a time. Each row's result does not depend on
   * the other rows, so this only changes speed: PyTorch takes every intermediate tensor from malloc, and glibc
   * serves blocks above its largest mmap threshold (32 MiB) with a fresh mmap that the op then page-faults in,
   * page by page, and unmaps on close. On an 8,192-token batch the FFN's [8192, 1536] and the attention scores
   * [rows, heads, tokens, tokens] are 50-100 MiB each, and page faults took about a third of the forward's time.
   * Slices of at most {@link #SLICE_TOKENS} tokens and {@link #SLICE_SCORES} score elements keep every
   * intermediate under that threshold (so malloc reuses the freed blocks) and nearer the caches. Each
   * slice is cut to the longest of its rows (the mask is a prefix of ones, as {@link EncoderInput#of} pads).
   */
  List<EncoderInput> slices(EncoderInput input) {
    int rows = input.batchSize();
    long tokens = input.tokens();
    long scoresPerRow = (long) config.numAttentionHeads() * tokens * tokens;
    int sliceRows = (int) Math.max(1, Math.min(SLICE_TOKENS / tokens, SLICE_SCORES / scoresPerRow));
    if (sliceRows >= rows) {
      return List.of(input);
    }
    long[] lengths = input.attentionMask().sum(new int[] {1}).toLongArray();
    List<EncoderInput> slices = new ArrayList<>();
    for (int start = 0; start < rows; start += sliceRows) {
      int end = Math.min(rows, start + sliceRows);
      long width = 1;
      for (int r = start; r < end; r++) {
        width = Math.max(width, lengths[r]);
      }
      slices.add(input.rows(start, end, (int) width));
    }
    return slices;
  }

  /** Padded tokens per forward slice (see {@link #slices}). */
  static final long SLICE_TOKENS = 2048;
  /** Attention score elements per forward slice: 4M floats = 16 MiB (see {@link #slices}). */
  static final long SLICE_SCORES = 4L << 20;

  private void checkWidth(EncoderInput input) {
    if (input.tokens() > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException("batch has " + input.tokens() + " tokens, the model has "
          + config.maxPositionEmbeddings() + " positions");
    }
  }

  private NDArray forward(EncoderInput input, ForwardContext ctx) {
    int tokens = input.tokens();
    NDManager batch = input.inputIds().getManager();
    NDArray positions = batch.arange(0, tokens, 1, DataType.INT64);
    NDArray x = parameters.embedding(input.inputIds(), "embeddings.word_embeddings.weight")
        .add(parameters.embedding(positions, "embeddings.position_embeddings.weight"))
        .add(parameters.embedding(input.tokenTypeIds(), "embeddings.token_type_embeddings.weight"));
    x = ctx.dropout(layerNorm(x, "embeddings.LayerNorm"), config.hiddenDropoutProb());

    // The padding mask is added inside the score matmul rather than as a pass over [batch, heads, tokens, tokens]:
    // [Q, 1] . [K^T ; m] = Q K^T + m, with m = 0 on real tokens and -1e30 on padding (exact for the real ones).
    int heads = config.numAttentionHeads();
    NDArray maskRow = input.attentionMask().toType(computeType, false).sub(1f).mul(1e30f)
        .reshape(input.batchSize(), 1, 1, tokens).broadcast(input.batchSize(), heads, 1, tokens);
    NDArray onesColumn = batch.ones(new Shape(input.batchSize(), heads, tokens, 1), computeType);
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      x = layer(x, onesColumn, maskRow, "encoder.layer." + i + ".", ctx);
    }
    return x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
  }

  private NDArray layer(NDArray x, NDArray onesColumn, NDArray maskRow, String prefix, ForwardContext ctx) {
    long batch = x.getShape().get(0);
    long tokens = x.getShape().get(1);
    int heads = config.numAttentionHeads();
    int headSize = config.headSize();
    Shape split = new Shape(batch, tokens, heads, headSize);

    // [batch, heads, tokens, headSize]; the 1/sqrt(d) scale goes on Q, which is smaller than the scores. The scale is
    // a 0-d array kept in the batch's manager: DJL's mul(Number) frees its scalar right after the op, and autograd
    // would then read freed memory when back-propagating into a query adapter.
    NDArray scale = x.getManager().create((float) (1.0 / Math.sqrt(headSize)));
    NDArray q = linear(prefix + "attention.self.query").forward(x, ctx).mul(scale)
        .reshape(split).transpose(0, 2, 1, 3).concat(onesColumn, -1);
    NDArray k = linear(prefix + "attention.self.key").forward(x, ctx).reshape(split).transpose(0, 2, 3, 1)
        .concat(maskRow, -2);
    NDArray v = linear(prefix + "attention.self.value").forward(x, ctx).reshape(split).transpose(0, 2, 1, 3);
    NDArray probs = q.matMul(k).softmax(-1); // scaled scores plus mask
    probs = ctx.dropout(probs, config.attentionDropoutProb());
    NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch, tokens, config.hiddenSize());

    NDArray attended = linear(prefix + "attention.output.dense").forward(context, ctx);
    x = layerNorm(x.add(ctx.dropout(attended, config.hiddenDropoutProb())), prefix + "attention.output.LayerNorm");

    NDArray inner = linear(prefix + "intermediate.dense").forward(x, ctx).getNDArrayInternal().gelu();
    NDArray out = linear(prefix + "output.dense").forward(inner, ctx);
    return layerNorm(x.add(ctx.dropout(out, config.hiddenDropoutProb())), prefix + "output.LayerNorm");
  }

  /** Mean over the mask or the [CLS] state, as the config says: float32 [batch, hidden]. */
  public NDArray pool(NDArray hiddenStates, NDArray attentionMask) {
    if (config.pooling() == Pooling.CLS) {
      return hiddenStates.get(":, 0, :");
    }
    NDArray m = attentionMask.toType(hiddenStates.getDataType(), false).expandDims(-1);
    NDArray summed = hiddenStates.mul(m).sum(new int[] {1});
    return summed.div(m.sum(new int[] {1}).maximum(1e-9f));
  }

  /** Rows scaled to unit L2 norm (rows of norm below 1e-12 are divided by 1e-12, as torch's F.normalize). */
  public static NDArray normalize(NDArray pooled) {
    return pooled.normalize(2, -1, 1e-12);
  }

  private NDArray layerNorm(NDArray x, String module) {
    return parameters.layerNorm(x, module, config.hiddenSize(), config.layerNormEps());
  }

  /** The linear modules of the architecture, by Hugging Face module name, in forward order. */
  public static List<String> linearModuleNames(EncoderConfig config) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      String p = "encoder.layer." + i + ".";
      names.add(p + "attention.self.query");
      names.add(p + "attention.self.key");
      names.add(p + "attention.self.value");
      names.add(p + "attention.output.dense");
      names.add(p + "intermediate.dense");
      names.add(p + "output.dense");
    }
    return names;
  }

  /** Every parameter the architecture needs, with its shape, by Hugging Face name in checkpoint order. */
  public static Map<String, long[]> parameterShapes(EncoderConfig c) {
    long h = c.hiddenSize();
    Map<String, long[]> s = new LinkedHashMap<>();
    s.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), h});
    s.put("embeddings.position_embeddings.weight", new long[] {c.maxPositionEmbeddings(), h});
    s.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), h});
    s.put("embeddings.LayerNorm.weight", new long[] {h});
    s.put("embeddings.LayerNorm.bias", new long[] {h});
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String p = "encoder.layer." + i + ".";
      for (String qkv : new String[] {"query", "key", "value"}) {
        s.put(p + "attention.self." + qkv + ".weight", new long[] {h, h});
        s.put(p + "attention.self." + qkv + ".bias", new long[] {h});
      }
      s.put(p + "attention.output.dense.weight", new long[] {h, h});
      s.put(p + "attention.output.dense.bias", new long[] {h});
      s.put(p + "attention.output.LayerNorm.weight", new long[] {h});
      s.put(p + "attention.output.LayerNorm.bias", new long[] {h});
      s.put(p + "intermediate.dense.weight", new long[] {c.intermediateSize(), h});
      s.put(p + "intermediate.dense.bias", new long[] {c.intermediateSize()});
      s.put(p + "output.dense.weight", new long[] {h, c.intermediateSize()});
      s.put(p + "output.dense.bias", new long[] {h});
      s.put(p + "output.LayerNorm.weight", new long[] {h});
      s.put(p + "output.LayerNorm.bias", new long[] {h});
    }
    return s;
  }

  private static DataType checkParameters(EncoderConfig config, Map<String, NDArray> parameters) {
    Map<String, long[]> expected = parameterShapes(config);
    List<String> problems = new ArrayList<>();
    DataType type = null;
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      NDArray p = parameters.get(e.getKey());
      if (p == null) {
        problems.add("missing " + e.getKey());
        continue;
      }
      if (!Arrays.equals(p.getShape().getShape(), e.getValue())) {
        problems.add(e.getKey() + " has shape " + p.getShape() + ", expected " + new Shape(e.getValue()));
      }
      if (type == null) {
        type = p.getDataType();
      } else if (p.getDataType() != type) {
        problems.add(e.getKey() + " is " + p.getDataType() + ", the other parameters " + type);
      }
    }
    for (String name : parameters.keySet()) {
      if (!expected.containsKey(name)) {
        problems.add("unexpected " + name);
      }
    }
    if (type != null && type != DataType.FLOAT32) {
      problems.add("parameters are " + type + "; FLOAT32 is supported");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("encoder parameters do not fit the config: " + String.join("; ", problems));
    }
    return type;
  }
}
