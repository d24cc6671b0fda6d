package org.loradist.bench;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.loradist.model.TextEmbedder;
import org.loradist.pipelines.retrieve.DotKernel;
import org.loradist.pipelines.retrieve.DotKernels;
import org.loradist.pipelines.retrieve.ExactIndex;
import org.loradist.pipelines.retrieve.HnswIndex;
import org.loradist.pipelines.retrieve.ScoredOrdinals;
import org.loradist.pipelines.retrieve.Storage;
import org.loradist.pipelines.retrieve.VectorIndex;
import org.loradist.pipelines.retrieve.VectorStore;

/**
 * In-process retrieval: queries/s and p50/p99 latency of single-threaded queries, exact (fp32 with the Vector API
 * and with the plain-Java kernel, fp16, int8) against Lucene HNSW, HNSW recall@10 against exact fp32, bytes per
 * vector and HNSW build time. One JSON line per figure.
 *
 * <pre>
 * BENCH_JAVA_OPTS="--add-modules jdk.incubator.vector -Xmx6g" bench/run.sh RetrievalBench \
 *     [--sizes 100000,1000000] [--dim 384] [--queries 1000] [--exact-queries 100] [--m 16] [--beam 100]
 *     [--ef 10,20,50,100,200] [--seed 42] [--debian N (real embeddings of N train descriptions instead)]
 * </pre>
 *
 * Random unit vectors are the hard case for HNSW (no cluster structure, high intrinsic dimension): a graph reaches
 * a given recall on them at a larger ef than on real embeddings, which the --debian mode shows.
 */
public final class RetrievalBench {
  private static final Gson GSON = new Gson();
  private static final int K = 10;

  private RetrievalBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = parse(args);
    int dim = Integer.parseInt(opt.getOrDefault("dim", "384"));
    int queries = Integer.parseInt(opt.getOrDefault("queries", "1000"));
    int exactQueries = Integer.parseInt(opt.getOrDefault("exact-queries", "100"));
    int m = Integer.parseInt(opt.getOrDefault("m", "16"));
    int beam = Integer.parseInt(opt.getOrDefault("beam", "100"));
    long seed = Long.parseLong(opt.getOrDefault("seed", "42"));
    int[] efs = Arrays.stream(opt.getOrDefault("ef", "10,20,50,100,200").split(",")).mapToInt(Integer::parseInt)
        .toArray();
    DotKernel best = DotKernels.best();
    emit(line("setup").add("kernel", best.name()).add("vector_api", DotKernels.vectorApiPresent())
        .add("cpus", Runtime.getRuntime().availableProcessors())
        .add("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20).add("java", System.getProperty("java.version")));
    if (opt.containsKey("debian")) {
      debian(Integer.parseInt(opt.get("debian")), opt.getOrDefault("data", "../shared/data"), queries, exactQueries, m,
          beam, seed, efs, best);
      return;
    }
    for (String s : opt.getOrDefault("sizes", "100000,1000000").split(",")) {
      int n = Integer.parseInt(s.strip());
      Random random = new Random(seed);
      VectorStore fp32 = VectorStore.allocate(Storage.FP32, n, dim, best);
      VectorStore int8 = VectorStore.allocate(Storage.INT8, n, dim, best);
      long t0 = System.nanoTime();
      float[] v = new float[dim];
      for (int i = 0; i < n; i++) {
        unit(random, v);
        fp32.set(i, v);
        int8.set(i, v);
      }
      emit(line("generate").add("vectors", n).add("dim", dim).add("seconds", secs(t0)));
      float[][] qs = new float[queries][];
      Random qr = new Random(seed + 1);
      for (int i = 0; i < queries; i++) {
        qs[i] = unit(qr, new float[dim]);
      }
      run("random", n, fp32, int8, null, qs, exactQueries, m, beam, seed, efs);
      fp32 = null;
      int8 = null;
      System.gc();
    }
  }

  /**
   * Exact fp32 gives the truth for every query (it is also timed on the first {@code exactQueries}); then int8
   * and, when given, fp16 and the plain-Java kernel; then HNSW at each ef.
   */
  private static void run(String data, int n, VectorStore fp32, VectorStore int8, VectorStore fp16, float[][] qs,
      int exactQueries, int m, int beam, long seed, int[] efs) {
    ExactIndex exact = new ExactIndex(fp32);
    int[][] truth = new int[qs.length][];
    // truth first (untimed beyond the sample), so every HNSW recall is over all queries
    for (int i = 0; i < qs.length; i++) {
      truth[i] = exact.search(qs[i], K).ordinals();
    }
    int timed = Math.min(exactQueries, qs.length);
    float[][] sample = Arrays.copyOf(qs, timed);
    measure(data, n, "exact", "fp32", exact, fp32.bytesPerVector(), sample, truth, Map.of());
    measure(data, n, "exact", "int8", new ExactIndex(int8), int8.bytesPerVector(), sample, truth, Map.of());
    if (fp16 != null) {
      measure(data, n, "exact", "fp16", new ExactIndex(fp16), fp16.bytesPerVector(), sample, truth, Map.of());
    }
    if (!fp32.kernel().name().equals("scalar")) {
      VectorStore scalar = fp32.withKernel(DotKernels.named("scalar"));
      measure(data, n, "exact", "fp32", new ExactIndex(scalar), scalar.bytesPerVector(),
          Arrays.copyOf(sample, Math.max(5, timed / 4)), truth, Map.of());
    }
    long t0 = System.nanoTime();
    HnswIndex hnsw = HnswIndex.build(fp32, new HnswIndex.Params(m, beam, efs[0], seed));
    double buildSeconds = secs(t0);
    long graphBytes = hnsw.graphBytes();
    emit(line("hnsw_build").add("data", data).add("vectors", n).add("m", m).add("beam_width", beam)
        .add("seconds", buildSeconds).add("vectors_per_s", n / buildSeconds).add("graph_bytes", graphBytes)
        .add("graph_bytes_per_vector", (double) graphBytes / n));
    for (int ef : efs) {
      HnswIndex at = hnsw.withEfSearch(ef);
      measure(data, n, "hnsw", "fp32", at, fp32.bytesPerVector() + (double) graphBytes / n, qs, truth,
          Map.of("m", m, "beam_width", beam, "ef_search", ef));
    }
  }

  private static void measure(String data, int n, String kind, String storage, VectorIndex index,
      double bytesPerVector, float[][] qs, int[][] truth, Map<String, Object> params) {
    int warmup = Math.min(qs.length, Math.max(3, qs.length / 10));
    for (int i = 0; i < warmup; i++) {
      index.search(qs[i], K);
    }
    long[] nanos = new long[qs.length];
    double recall = 0;
    long start = System.nanoTime();
    for (int i = 0; i < qs.length; i++) {
      long t = System.nanoTime();
      ScoredOrdinals found = index.search(qs[i], K);
      nanos[i] = System.nanoTime() - t;
      recall += overlap(truth[i], found.ordinals());
    }
    double seconds = secs(start);
    Arrays.sort(nanos);
    Line l = line("search").add("data", data).add("vectors", n).add("index", kind).add("storage", storage)
        .add("kernel", index.store().kernel().name()).add("queries", qs.length)
        .add("qps", qs.length / seconds).add("p50_ms", nanos[nanos.length / 2] / 1e6)
        .add("p99_ms", nanos[Math.min(nanos.length - 1, (int) Math.ceil(nanos.length * 0.99) - 1)] / 1e6)
        .add("recall_at_10", recall / qs.length).add("bytes_per_vector", bytesPerVector);
    params.forEach(l::add);
    emit(l);
  }

  /** Real embeddings: N Debian train descriptions (the corpus) and their synopses (the queries), default model. */
  private static void debian(int n, String dataDir, int queries, int exactQueries, int m, int beam, long seed,
      int[] efs, DotKernel kernel) throws Exception {
    List<String> descriptions = new ArrayList<>();
    List<String> synopses = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Path file = Path.of(dataDir, "debian-packages", "train.jsonl.gz");
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
        StandardCharsets.UTF_8))) {
      String line;
      while (descriptions.size() < n && (line = in.readLine()) != null) {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        String d = o.get("description").getAsString();
        if (!d.isBlank() && seen.add(d)) {
          descriptions.add(d);
          synopses.add(o.get("synopsis").getAsString());
        }
      }
    }
    int maxTokens = 128;
    long t0 = System.nanoTime();
    float[][] corpus;
    float[][] qs;
    try (TextEmbedder embedder = TextEmbedder.forModel("default",
        TextEmbedder.Options.defaults().withMaxTokens(maxTokens))) {
      corpus = embedder.embed(descriptions);
      // queries: an even spread of synopses over the corpus
      List<String> picked = new ArrayList<>();
      for (int i = 0; i < Math.min(queries, synopses.size()); i++) {
        picked.add(synopses.get((int) ((long) i * synopses.size() / Math.min(queries, synopses.size()))));
      }
      qs = embedder.embed(picked);
    }
    emit(line("embed").add("data", "debian").add("vectors", corpus.length).add("queries", qs.length)
        .add("max_tokens", maxTokens).add("seconds", secs(t0)));
    int dim = corpus[0].length;
    VectorStore fp32 = VectorStore.allocate(Storage.FP32, corpus.length, dim, kernel);
    VectorStore int8 = VectorStore.allocate(Storage.INT8, corpus.length, dim, kernel);
    VectorStore fp16 = VectorStore.allocate(Storage.FP16, corpus.length, dim, kernel);
    for (int i = 0; i < corpus.length; i++) {
      fp32.set(i, corpus[i]);
      int8.set(i, corpus[i]);
      fp16.set(i, corpus[i]);
    }
    run("debian", corpus.length, fp32, int8, fp16, qs, exactQueries, m, beam, seed, efs);
  }

  private static double overlap(int[] truth, int[] found) {
    int hits = 0;
    for (int f : found) {
      for (int t : truth) {
        if (t == f) {
          hits++;
          break;
        }
      }
    }
    return (double) hits / truth.length;
  }

  private static float[] unit(Random random, float[] v) {
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
      norm += v[i] * v[i];
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
    return v;
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got " + Arrays.toString(args));
      }
      out.put(args[i].substring(2), args[++i]);
    }
    return out;
  }

  private static Line line(String figure) {
    return new Line().add("bench", "retrieval").add("figure", figure);
  }

  private static void emit(Line l) {
    System.out.println(GSON.toJson(l.values));
    System.out.flush();
  }

  /** One JSON line's fields, in insertion order. */
  private static final class Line {
    final Map<String, Object> values = new LinkedHashMap<>();

    Line add(String key, Object value) {
      values.put(key, value instanceof Double d ? Math.round(d * 1000) / 1000.0 : value);
      return this;
    }
  }
}
