package org.loradist.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.loradist.model.BatchPlan;
import org.loradist.model.DefaultModel;
import org.loradist.model.Precision;
import org.loradist.model.PretrainedModel;
import org.loradist.model.TextEmbedder;
import org.loradist.model.TorchThreads;
import org.loradist.text.TextTokenizer;
import org.loradist.text.TokenizedText;
import org.loradist.weights.ModelCache;

/**
 * Embedding throughput of lora-dist's encoder against ONNX Runtime on the same model file, the same token ids, the
 * same batches (length-sorted, token budget) and the same number of threads, in one run. Prints one JSON line per
 * figure. With {@code --retrieval}, also synopsis-to-description Recall@10 / MRR@10 over the dev split for both.
 *
 * <pre>
 * java -cp ... org.loradist.bench.EmbedBench [--data PATH/dev.jsonl.gz] [--texts 5000] [--threads 2]
 *      [--batch-tokens 8192] [--max-batch 128] [--max-tokens 256] [--rounds 2] [--retrieval]
 * </pre>
 */
public final class EmbedBench {
  public static void main(String[] args) throws Exception {
    Map<String, String> opt = parse(args);
    int threads = Integer.parseInt(opt.getOrDefault("threads", "2"));
    // inter-op threads are fixed at PyTorch's first use: set before anything touches the engine
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    Path data = findData(opt.get("data"));
    int count = Integer.parseInt(opt.getOrDefault("texts", "5000"));
    int maxTokens = Integer.parseInt(opt.getOrDefault("max-tokens", "256"));
    int batchTokens = Integer.parseInt(opt.getOrDefault("batch-tokens", "8192"));
    int maxBatch = Integer.parseInt(opt.getOrDefault("max-batch", "128"));
    int rounds = Integer.parseInt(opt.getOrDefault("rounds", "2"));

    List<Map<String, String>> rows = readRows(data);
    List<String> descriptions = new ArrayList<>();
    for (int i = 0; i < Math.min(count, rows.size()); i++) {
      descriptions.add(rows.get(i).get("description"));
    }
    TorchThreads.setIntraOpThreads(threads);
    PretrainedModel model = ModelCache.get("default");
    TextEmbedder.Options base = TextEmbedder.Options.defaults().withMaxTokens(maxTokens).withBatchTokens(batchTokens)
        .withMaxBatchSize(maxBatch).withIntraOpThreads(threads);

    try (TextTokenizer tokenizer = TextTokenizer.defaultModel(maxTokens);
         OrtEmbedder ort = new OrtEmbedder(threads, batchTokens, maxBatch)) {
      List<TokenizedText> tokens = new ArrayList<>();
      long realTokens = 0;
      for (String d : descriptions) {
        TokenizedText t = tokenizer.encode(d);
        tokens.add(t);
        realTokens += t.length();
      }
      Map<String, Object> setup = new LinkedHashMap<>();
      setup.put("texts", tokens.size());
      setup.put("tokens", realTokens);
      setup.put("threads", threads);
      setup.put("batch_tokens", batchTokens);
      setup.put("max_batch", maxBatch);
      setup.put("max_tokens", maxTokens);
      emit("setup", setup);

      float[][] reference = null;
      for (Precision precision : Precision.values()) {
        if (precision.unavailableReason() != null) {
          emit("loradist_" + precision.name().toLowerCase(Locale.ROOT) + "_tokens_per_s",
              Map.of("value", "unavailable", "reason", precision.unavailableReason()));
          continue;
        }
        try (TextEmbedder ours = new TextEmbedder(model.newEncoder(precision), tokenizer, base.withPrecision(precision))) {
          // warm-up: both engines see a few batches first (allocators, kernels, JIT)
          ours.embedTokenized(tokens.subList(0, Math.min(300, tokens.size())));
          ort.embed(tokens.subList(0, Math.min(300, tokens.size())));
          // alternate the two engines so that both see the same machine load; keep each one's best round
          double ortBest = 0;
          double oursBest = 0;
          float[][] ourVectors = null;
          for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            float[][] ortVectors = ort.embed(tokens);
            long t1 = System.nanoTime();
            ourVectors = ours.embedTokenized(tokens);
            long t2 = System.nanoTime();
            ortBest = Math.max(ortBest, realTokens / ((t1 - t0) / 1e9));
            oursBest = Math.max(oursBest, realTokens / ((t2 - t1) / 1e9));
            if (reference == null) {
              reference = ortVectors;
            }
          }
          String p = precision.name().toLowerCase(Locale.ROOT);
          emit("ort_fp32_tokens_per_s", Map.of("value", round(ortBest), "precision_of_peer", "fp32", "while", p));
          emit("loradist_" + p + "_tokens_per_s", Map.of("value", round(oursBest)));
          emit("ratio_" + p + "_vs_ort_fp32", Map.of("value", Math.round(oursBest / ortBest * 1000) / 1000.0));
          emit("agreement_" + p, Map.of("max_abs_diff", maxAbsDiff(reference, ourVectors),
              "min_cosine", minCosine(reference, ourVectors)));
        }
      }
      if (opt.containsKey("retrieval")) {
        retrieval(rows, tokenizer, ort, model, base);
      }
    }
  }

  /** Synopsis -> description over the dev split: Recall@10, MRR@10; a hit is the query's own description text. */
  private static void retrieval(List<Map<String, String>> rows, TextTokenizer tokenizer, OrtEmbedder ort,
      PretrainedModel model, TextEmbedder.Options base) throws OrtException {
    Map<String, Integer> docIndex = new LinkedHashMap<>();
    List<String> docs = new ArrayList<>();
    int[] relevant = new int[rows.size()];
    List<String> queries = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      String d = rows.get(i).get("description");
      Integer id = docIndex.get(d);
      if (id == null) {
        id = docs.size();
        docIndex.put(d, id);
        docs.add(d);
      }
      relevant[i] = id;
      queries.add(rows.get(i).get("synopsis"));
    }
    List<TokenizedText> docTokens = docs.stream().map(tokenizer::encode).toList();
    List<TokenizedText> queryTokens = queries.stream().map(tokenizer::encode).toList();
    Map<String, float[][][]> vectors = new LinkedHashMap<>();
    vectors.put("ort_fp32", new float[][][] {ort.embed(docTokens), ort.embed(queryTokens)});
    for (Precision p : Precision.values()) {
      if (p.unavailableReason() != null) {
        continue;
      }
      try (TextEmbedder ours = new TextEmbedder(model.newEncoder(p), tokenizer, base.withPrecision(p))) {
        vectors.put("loradist_" + p.name().toLowerCase(Locale.ROOT),
            new float[][][] {ours.embedTokenized(docTokens), ours.embedTokenized(queryTokens)});
      }
    }
    for (Map.Entry<String, float[][][]> e : vectors.entrySet()) {
      double[] rm = recallMrr(e.getValue()[1], e.getValue()[0], relevant, 10);
      Map<String, Object> fig = new LinkedHashMap<>();
      fig.put("engine", e.getKey());
      fig.put("queries", queries.size());
      fig.put("documents", docs.size());
      fig.put("recall_at_10", String.format(Locale.ROOT, "%.3f", rm[0]));
      fig.put("mrr_at_10", String.format(Locale.ROOT, "%.3f", rm[1]));
      emit("retrieval_dev_synopsis_to_description", fig);
    }
  }

  static double[] recallMrr(float[][] queries, float[][] docs, int[] relevant, int k) {
    double hits = 0;
    double mrr = 0;
    for (int q = 0; q < queries.length; q++) {
      float target = dot(queries[q], docs[relevant[q]]);
      int better = 0; // documents that score above the relevant one (ties count against it)
      for (int d = 0; d < docs.length && better < k; d++) {
        if (d != relevant[q] && dot(queries[q], docs[d]) >= target) {
          better++;
        }
      }
      if (better < k) {
        hits++;
        mrr += 1.0 / (better + 1);
      }
    }
    return new double[] {hits / queries.length, mrr / queries.length};
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** ONNX Runtime over the same batches as lora-dist, with mean pooling and L2 normalisation in Java. */
  static final class OrtEmbedder implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final int batchTokens;
    private final int maxBatch;

    OrtEmbedder(int threads, int batchTokens, int maxBatch) throws IOException, OrtException {
      this.batchTokens = batchTokens;
      this.maxBatch = maxBatch;
      byte[] bytes;
      try (InputStream in = DefaultModel.open(DefaultModel.ONNX_RESOURCE)) {
        bytes = in.readAllBytes();
      }
      OrtSession.SessionOptions o = new OrtSession.SessionOptions();
      o.setIntraOpNumThreads(threads);
      o.setInterOpNumThreads(1);
      o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(bytes, o);
    }

    float[][] embed(List<TokenizedText> texts) throws OrtException {
      int[] lengths = texts.stream().mapToInt(TokenizedText::length).toArray();
      float[][] out = new float[texts.size()][];
      for (int[] batch : BatchPlan.plan(lengths, batchTokens, maxBatch)) {
        int width = 0;
        for (int i : batch) {
          width = Math.max(width, lengths[i]);
        }
        long[] ids = new long[batch.length * width];
        long[] mask = new long[batch.length * width];
        long[] types = new long[batch.length * width];
        for (int j = 0; j < batch.length; j++) {
          TokenizedText t = texts.get(batch[j]);
          System.arraycopy(t.ids(), 0, ids, j * width, t.length());
          System.arraycopy(t.attentionMask(), 0, mask, j * width, t.length());
          System.arraycopy(t.typeIds(), 0, types, j * width, t.length());
        }
        long[] shape = {batch.length, width};
        try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
             OnnxTensor b = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
             OnnxTensor c = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
             OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
          java.nio.FloatBuffer hidden = ((OnnxTensor) r.get(0)).getFloatBuffer();
          int dim = (int) (hidden.remaining() / ((long) batch.length * width));
          for (int j = 0; j < batch.length; j++) {
            float[] v = new float[dim];
            int n = lengths[batch[j]];
            for (int tkn = 0; tkn < n; tkn++) {
              int base = (j * width + tkn) * dim;
              for (int d = 0; d < dim; d++) {
                v[d] += hidden.get(base + d);
              }
            }
            double norm = 0;
            for (int d = 0; d < dim; d++) {
              v[d] /= n;
              norm += v[d] * v[d];
            }
            float inv = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
            for (int d = 0; d < dim; d++) {
              v[d] *= inv;
            }
            out[batch[j]] = v;
          }
        }
      }
      return out;
    }

    @Override
    public void close() throws OrtException {
      session.close();
    }
  }

  private static double maxAbsDiff(float[][] a, float[][] b) {
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      for (int d = 0; d < a[i].length; d++) {
        worst = Math.max(worst, Math.abs(a[i][d] - b[i][d]));
      }
    }
    return worst;
  }

  private static double minCosine(float[][] a, float[][] b) {
    double worst = 1;
    for (int i = 0; i < a.length; i++) {
      worst = Math.min(worst, dot(a[i], b[i])); // both unit length
    }
    return Math.round(worst * 1e6) / 1e6;
  }

  private static long round(double v) {
    return Math.round(v);
  }

  private static void emit(String figure, Map<String, ?> fields) {
    JsonObject o = new JsonObject();
    o.addProperty("bench", "embed");
    o.addProperty("figure", figure);
    fields.forEach((k, v) -> {
      if (v instanceof Number n) {
        o.addProperty(k, n);
      } else {
        o.addProperty(k, String.valueOf(v));
      }
    });
    System.out.println(o);
  }

  private static List<Map<String, String>> readRows(Path data) throws IOException {
    List<Map<String, String>> rows = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(data)), StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        if (!o.has("description") || !o.has("synopsis")) {
          throw new IOException(data + ": line " + n + " lacks description or synopsis");
        }
        rows.add(Map.of("description", o.get("description").getAsString(),
            "synopsis", o.get("synopsis").getAsString()));
      }
    }
    return rows;
  }

  private static Path findData(String given) throws IOException {
    List<String> candidates = given != null ? List.of(given)
        : List.of("../shared/data/debian-packages/dev.jsonl.gz", "../../shared/data/debian-packages/dev.jsonl.gz");
    for (String c : candidates) {
      Path p = Path.of(c);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IOException("dev split not found at " + candidates + " (pass --data PATH)");
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
      }
      String key = args[i].substring(2);
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        out.put(key, args[++i]);
      } else {
        out.put(key, "true");
      }
    }
    return out;
  }
}
