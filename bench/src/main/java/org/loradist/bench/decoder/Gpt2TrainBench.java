package org.loradist.bench.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.loradist.lora.LoraAdapters;
import org.loradist.lora.LoraConfig;
import org.loradist.lora.LoraInjector;
import org.loradist.model.ForwardContext;
import org.loradist.model.Gpt2Config;
import org.loradist.model.Gpt2Model;
import org.loradist.model.TorchThreads;
import org.loradist.train.Autograd;
import org.loradist.train.lora.CausalLm;

/**
 * Training tokens/s of a GPT-2 small-shaped model (random weights: 12 layers, width 768, 12 heads, vocabulary
 * 50257; 124.4M parameters), causal-LM loss on every position of batch 8 x 256, LoRA r 8 on c_attn, fp32 on the
 * CPU threads given; the peer in the same run is inference (forward and logits, no autograd) on the same batches.
 * The step is the replica's: {@link CausalLm#targetLogProbs}, {@link CausalLm#crossEntropySum}, backward, gradients
 * read back. Prints one JSON line per figure, and a memory line: the peak RSS of this JVM (VmHWM) beside the
 * arithmetic of what an executor holds.
 *
 * <pre>
 * Gpt2TrainBench [steps=3] [threads=2] [batch=8] [tokens=256]
 * </pre>
 */
public final class Gpt2TrainBench {
  private Gpt2TrainBench() {
  }

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    int tokens = args.length > 3 ? Integer.parseInt(args[3]) : 256;
    TorchThreads.setIntraOpThreads(threads);
    Gpt2Config config = Gpt2Config.gpt2Small();
    LoraConfig lora = LoraConfig.of(8, 16, 0.0, Gpt2Model.DEFAULT_LORA_TARGETS);

    try (NDManager weights = NDManager.newBaseManager()) {
      long t0 = System.nanoTime();
      Map<String, NDArray> params = new LinkedHashMap<>();
      for (Map.Entry<String, long[]> e : Gpt2Model.parameterShapes(config).entrySet()) {
        Shape s = new Shape(e.getValue());
        boolean lnWeight = e.getKey().contains("ln_") && e.getKey().endsWith(".weight");
        params.put(e.getKey(), lnWeight ? weights.ones(s) : weights.randomNormal(0f, 0.02f, s, DataType.FLOAT32));
      }
      weights.cap();
      double buildSeconds = (System.nanoTime() - t0) / 1e9;
      Gpt2Model model = new Gpt2Model(config, params);
      LoraAdapters adapters = LoraInjector.inject(model, lora);
      float[][] values = adapters.initialValues(1);
      long trainable = 0;
      for (float[] v : values) {
        trainable += v.length;
      }

      SplittableRandom rng = new SplittableRandom(7);
      List<List<CausalLm.Sequence>> batches = new ArrayList<>();
      for (int b = 0; b < steps + 1; b++) {
        List<CausalLm.Sequence> seqs = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
          long[] ids = new long[tokens];
          for (int t = 0; t < tokens; t++) {
            ids[t] = rng.nextInt(config.vocabSize());
          }
          seqs.add(new CausalLm.Sequence(ids, 1)); // every position after the first is a target
        }
        batches.add(seqs);
      }

      // batch 0 warms up (first-call allocations, oneDNN primitive creation); the others are timed
      double trainSeconds = 0;
      double loss = 0;
      for (int b = 0; b <= steps; b++) {
        long s0 = System.nanoTime();
        try (NDManager m = NDManager.newBaseManager(); Autograd ag = Autograd.record()) {
          List<NDArray> leaves = adapters.bind(m, values, true);
          NDArray logp = CausalLm.targetLogProbs(model, m, batches.get(b), ForwardContext.inference());
          NDArray l = CausalLm.crossEntropySum(logp, batches.get(b)).div(m.create((float) batch));
          ag.backward(l);
          for (NDArray leaf : leaves) {
            leaf.getGradient().toFloatArray();
          }
          loss = l.getFloat();
        }
        if (b > 0) {
          trainSeconds += (System.nanoTime() - s0) / 1e9;
        }
      }
      double inferSeconds = 0;
      for (int b = 0; b <= steps; b++) {
        long s0 = System.nanoTime();
        try (NDManager m = NDManager.newBaseManager()) {
          adapters.bind(m, values, false);
          CausalLm.targetLogProbs(model, m, batches.get(b), ForwardContext.inference()).getFloat(0, 0);
        }
        if (b > 0) {
          inferSeconds += (System.nanoTime() - s0) / 1e9;
        }
      }
      long stepTokens = (long) batch * tokens;
      double trainTps = steps * stepTokens / trainSeconds;
      double inferTps = steps * stepTokens / inferSeconds;
      System.out.printf(Locale.ROOT, "{\"figure\":\"gpt2_124m_lora_train_tokens_per_s\",\"value\":%.1f,"
              + "\"peer\":\"inference_tokens_per_s\",\"peer_value\":%.1f,\"ratio\":%.3f,\"batch\":%d,\"tokens\":%d,"
              + "\"threads\":%d,\"steps\":%d,\"seconds_per_step\":%.2f,\"loss\":%.3f,\"parameters\":%d,"
              + "\"trainable\":%d,\"weights_build_s\":%.1f}%n", trainTps, inferTps, trainTps / inferTps, batch,
          tokens, threads, steps, trainSeconds / steps, loss, Gpt2Model.parameterCount(config), trainable,
          buildSeconds);
      System.out.println(memoryLine(config, trainable, batch, tokens));
    }
    System.exit(0);
  }

  /** Peak RSS (VmHWM) beside the arithmetic of an executor's LoRA training memory. */
  static String memoryLine(Gpt2Config c, long trainable, int batch, int tokens) throws Exception {
    long hwmKb = -1;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        hwmKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    double mb = 1e6;
    long bte = (long) batch * tokens * c.nEmbd();
    long scores = (long) batch * c.nHead() * tokens * tokens;
    // kept for backward per block: ln_1 out, qkv (3), q scaled, attended, c_proj out, residual, ln_2 out (~9 BTE),
    // scores, scores + mask, probs (3 B·H·T·T), c_fc out and the GELU's intermediates (x^2, a + b x^2, x (a + b x^2),
    // sigmoid, product: 6 x 4 BTE), MLP c_proj out and residual (2 BTE)
    long perBlock = 9 * bte + 3 * scores + 6 * 4 * bte + 2 * bte;
    long logits = 2L * batch * (tokens - 1) * c.vocabSize(); // logits and log-softmax of every target position
    double params = Gpt2Model.parameterCount(c) * 4 / mb;
    double activations = c.nLayer() * perBlock * 4 / mb;
    double head = 2 * logits * 4 / mb; // the two [n, vocab] arrays and their gradients in backward
    double optimizer = trainable * 4 * 4 / mb; // values, gradient, AdamW m and v
    return String.format(Locale.ROOT, "{\"figure\":\"gpt2_124m_lora_memory_mb\",\"peak_rss_mb\":%.0f,"
            + "\"estimate_mb\":%.0f,\"params_mb\":%.0f,\"activations_mb\":%.0f,\"lm_head_mb\":%.0f,"
            + "\"optimizer_mb\":%.1f,\"arithmetic\":\"params 124.4M x 4 B; activations %d layers x (11 BTE + 24 BTE"
            + " + 3 BHTT) x 4 B with BTE=%d, BHTT=%d; head 2 x 2 x B(T-1)V x 4 B; optimizer 4 x %d trainable x 4 B\"}",
        hwmKb / 1024.0, params + activations + head + optimizer, params, activations, head, optimizer, c.nLayer(), bte,
        scores, trainable);
  }
}
