package org.loradist.model;

import ai.djl.ndarray.NDArray;
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
 * GPT-2 (Hugging Face {@code GPT2Model} + tied LM head) on DJL NDArrays with PyTorch kernels.
 *
 * <pre>
 * embeddings:  x = wte[ids] + wpe[past .. past+T);  dropout
 * each block:  a = softmax(Q K^T / sqrt(d) + causal) V   over [cached keys ; new keys], per head
 *              x = x + dropout(attn.c_proj(a))               with Q, K, V = split(attn.c_attn(ln_1(x)))
 *              x = x + dropout(mlp.c_proj(gelu(mlp.c_fc(ln_2(x)))))
 * final:       h = ln_f(x);  logits = h wte^T  (the LM head is the token embedding, tied)
 * </pre>
 *
 * Parameters keep their Hugging Face names ({@code h.0.attn.c_attn.weight}, no {@code transformer.} prefix) and
 * shapes: the four linears of a block are Conv1D, weight [in, out], used as stored through {@link Conv1DLinear}.
 * Every linear is looked up by module name ({@code h.0.attn.c_attn}), so LoRA wraps it without changing this file.
 *
 * <p>Batches are right-padded (real tokens first): causality alone then keeps every real token from seeing
 * padding, and the last real token of row i sits at its length - 1. Padded positions produce values that nobody
 * reads. Intermediate arrays live in the input ids' manager, so a per-batch sub-manager frees them.
 */
public final class Gpt2Model implements LinearModules {
  /** Modules LoRA wraps unless told otherwise: the fused query/key/value projection (PEFT's GPT-2 default). */
  public static final List<String> DEFAULT_LORA_TARGETS = List.of("c_attn");

  private final Gpt2Config config;
  private final NamedParameters parameters;
  private final ModuleLinears linears;

  public Gpt2Model(Gpt2Config config, Map<String, NDArray> parameters) {
    this.config = config;
    this.parameters = new NamedParameters(parameters);
    checkParameters(config, parameters);
    MklCpuDispatch.ensureApplied(); // before this JVM's first matmul
    this.linears = new ModuleLinears(linearModuleNames(config), this.parameters, Conv1DLinear::new);
  }

  public Gpt2Config config() {
    return config;
  }

  /** The base parameters by Hugging Face name (read-only view). */
  public Map<String, NDArray> parameters() {
    return parameters.asMap();
  }

  @Override
  public Linear linear(String name) {
    return linears.linear(name);
  }

  @Override
  public List<String> linearNames() {
    return linears.linearNames();
  }

  @Override
  public void replaceLinear(String name, Linear replacement) {
    linears.replaceLinear(name, replacement);
  }

  /**
   * The final (ln_f) hidden states, float32 [batch, tokens, n_embd], of int64 {@code inputIds} [batch, tokens].
   * With a {@code cache} the ids continue the cached sequence (positions start at its length) and their keys and
   * values are appended to it; without one they start at position 0.
   */
  public NDArray hiddenStates(NDArray inputIds, KvCache cache, ForwardContext ctx) {
    int tokens = Math.toIntExact(inputIds.getShape().get(1));
    int past = cache == null ? 0 : cache.length();
    if (past + tokens > config.nPositions()) {
      throw new IllegalArgumentException("sequence of " + (past + tokens) + " tokens exceeds the model's "
          + config.nPositions() + " positions");
    }
    NDManager batch = inputIds.getManager();
    NDArray positions = batch.arange(past, past + tokens, 1, DataType.INT64);
    NDArray x = parameters.embedding(inputIds, "wte.weight").add(parameters.embedding(positions, "wpe.weight"));
    x = ctx.dropout(x, config.embdPdrop());

    NDArray mask = causalMask(batch, tokens, past);
    // the 1/sqrt(d) scale as a 0-d array of the batch: DJL's mul(Number) frees its scalar before autograd's backward
    NDArray scale = batch.create((float) (1.0 / Math.sqrt(config.headSize())));
    for (int i = 0; i < config.nLayer(); i++) {
      x = block(x, i, mask, scale, cache, ctx);
    }
    if (cache != null) {
      cache.advance(tokens);
    }
    return layerNorm(x, "ln_f");
  }

  /** Next-token logits [.., vocab] of hidden states [.., n_embd]: the tied head {@code h wte^T}. */
  public NDArray logits(NDArray hidden) {
    return ai.djl.nn.core.Linear.linear(hidden, parameters.get("wte.weight")).singletonOrThrow();
  }

  private NDArray block(NDArray x, int layer, NDArray mask, NDArray scale, KvCache cache, ForwardContext ctx) {
    String p = "h." + layer + ".";
    long batch = x.getShape().get(0);
    long tokens = x.getShape().get(1);
    int heads = config.nHead();
    Shape split = new Shape(batch, tokens, heads, config.headSize());

    NDList qkv = linear(p + "attn.c_attn").forward(layerNorm(x, p + "ln_1"), ctx).split(3, 2);
    NDArray q = qkv.get(0).reshape(split).transpose(0, 2, 1, 3).mul(scale);
    NDArray k = qkv.get(1).reshape(split).transpose(0, 2, 1, 3);
    NDArray v = qkv.get(2).reshape(split).transpose(0, 2, 1, 3);
    if (cache != null) {
      NDArray[] kv = cache.append(layer, k, v);
      k = kv[0];
      v = kv[1];
    }
    // q (a batch array) goes first, so scores and everything after them live in the batch's manager
    NDArray probs = q.matMul(k.transpose(0, 1, 3, 2)).add(mask).softmax(-1);
    probs = ctx.dropout(probs, config.attnPdrop());
    NDArray attended = probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch, tokens, config.nEmbd());
    x = x.add(ctx.dropout(linear(p + "attn.c_proj").forward(attended, ctx), config.residPdrop()));

    NDArray inner = gelu(linear(p + "mlp.c_fc").forward(layerNorm(x, p + "ln_2"), ctx));
    return x.add(ctx.dropout(linear(p + "mlp.c_proj").forward(inner, ctx), config.residPdrop()));
  }

  /** [tokens, past + tokens]: 0 where query i may see key j (j <= past + i), -1e30 after it. */
  private static NDArray causalMask(NDManager m, int tokens, int past) {
    int keys = past + tokens;
    float[] mask = new float[tokens * keys];
    for (int i = 0; i < tokens; i++) {
      Arrays.fill(mask, i * keys + past + i + 1, (i + 1) * keys, -1e30f);
    }
    return m.create(mask, new Shape(tokens, keys));
  }

  /**
   * GPT-2's "gelu_new", 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), computed as the equal
   * x sigmoid(x (a + b x^2)) with a = 2 sqrt(2/pi), b = 0.044715 a: five elementwise ops instead of nine, so fewer
   * [batch, tokens, n_inner] intermediates are kept for backward (the MLP's are the largest activations). Or the
   * exact erf form. The constants are arrays in x's manager for the same reason as the attention scale.
   */
  private NDArray gelu(NDArray x) {
    return config.tanhGelu() ? tanhGelu(x) : x.getNDArrayInternal().gelu();
  }

  static NDArray tanhGelu(NDArray x) {
    NDManager m = x.getManager();
    double a = 2 * Math.sqrt(2 / Math.PI);
    NDArray inner = x.square().mul(m.create((float) (0.044715 * a))).add(m.create((float) a));
    return x.mul(ai.djl.nn.Activation.sigmoid(x.mul(inner)));
  }

  private NDArray layerNorm(NDArray x, String module) {
    return parameters.layerNorm(x, module, config.nEmbd(), config.layerNormEpsilon());
  }

  /** The linear (Conv1D) modules, by Hugging Face module name, in forward order. */
  public static List<String> linearModuleNames(Gpt2Config config) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < config.nLayer(); i++) {
      String p = "h." + i + ".";
      names.add(p + "attn.c_attn");
      names.add(p + "attn.c_proj");
      names.add(p + "mlp.c_fc");
      names.add(p + "mlp.c_proj");
    }
    return names;
  }

  /** Every parameter the architecture needs, with its shape ([in, out] for Conv1D), in checkpoint order. */
  public static Map<String, long[]> parameterShapes(Gpt2Config c) {
    long e = c.nEmbd();
    Map<String, long[]> s = new LinkedHashMap<>();
    s.put("wte.weight", new long[] {c.vocabSize(), e});
    s.put("wpe.weight", new long[] {c.nPositions(), e});
    for (int i = 0; i < c.nLayer(); i++) {
      String p = "h." + i + ".";
      s.put(p + "ln_1.weight", new long[] {e});
      s.put(p + "ln_1.bias", new long[] {e});
      s.put(p + "attn.c_attn.weight", new long[] {e, 3 * e});
      s.put(p + "attn.c_attn.bias", new long[] {3 * e});
      s.put(p + "attn.c_proj.weight", new long[] {e, e});
      s.put(p + "attn.c_proj.bias", new long[] {e});
      s.put(p + "ln_2.weight", new long[] {e});
      s.put(p + "ln_2.bias", new long[] {e});
      s.put(p + "mlp.c_fc.weight", new long[] {e, c.nInner()});
      s.put(p + "mlp.c_fc.bias", new long[] {c.nInner()});
      s.put(p + "mlp.c_proj.weight", new long[] {c.nInner(), e});
      s.put(p + "mlp.c_proj.bias", new long[] {e});
    }
    s.put("ln_f.weight", new long[] {e});
    s.put("ln_f.bias", new long[] {e});
    return s;
  }

  /** Total parameter count of a config (the tied head counted once). */
  public static long parameterCount(Gpt2Config c) {
    long n = 0;
    for (long[] shape : parameterShapes(c).values()) {
      long k = 1;
      for (long d : shape) {
        k *= d;
      }
      n += k;
    }
    return n;
  }

  private static void checkParameters(Gpt2Config config, Map<String, NDArray> parameters) {
    Map<String, long[]> expected = parameterShapes(config);
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      NDArray p = parameters.get(e.getKey());
      if (p == null) {
        problems.add("missing " + e.getKey());
      } else if (!Arrays.equals(p.getShape().getShape(), e.getValue())) {
        problems.add(e.getKey() + " has shape " + p.getShape() + ", expected " + new Shape(e.getValue()));
      } else if (p.getDataType() != DataType.FLOAT32) {
        problems.add(e.getKey() + " is " + p.getDataType() + "; FLOAT32 is supported");
      }
    }
    for (String name : parameters.keySet()) {
      if (!expected.containsKey(name)) {
        problems.add("unexpected " + name);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("GPT-2 parameters do not fit the config: " + String.join("; ", problems));
    }
  }
}
