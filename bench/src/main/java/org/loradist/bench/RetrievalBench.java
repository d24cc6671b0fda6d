package org.loradist.bench;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.File;
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
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.loradist.lora.PeftAdapter;
import org.loradist.model.DefaultModel;
import org.loradist.model.TextEmbedder;
import org.loradist.pipelines.retrieve.DotKernel;
import org.loradist.pipelines.retrieve.DotKernels;
import org.loradist.pipelines.retrieve.ExactIndex;
import org.loradist.pipelines.retrieve.HnswIndex;
import org.loradist.pipelines.retrieve.LoadedEmbeddings;
import org.loradist.pipelines.retrieve.ScoredOrdinals;
import org.loradist.pipelines.retrieve.Storage;
import org.loradist.pipelines.retrieve.VectorIndex;
import org.loradist.pipelines.retrieve.VectorStore;

/**
 * In-process retrieval: queries/s and p50/p99 latency, exact (fp32 with the Vector API and with the plain-Java
 * kernel, fp16, int8) against Lucene HNSW over a sweep of efSearch, HNSW recall@10 against exact fp32, bytes per
 * vector and the HNSW build time. One JSON line per figure.
 *
 * <p>Two throughputs per search line: {@code qps} and {@code p50_ms}/{@code p99_ms} are one query at a time on one
 * thread (latency); {@code qps_concurrent} is the machine's throughput with {@code concurrent_threads} threads
 * searching the same index at once, as a server answers (default: all cores). A {@code target} line per data set
 * says which ef first reaches recall@10 0.95 and whether that ef does 1,000 queries/s on one thread and on all.
 *
 * <pre>
 * # random unit vectors, the sizes. 1M x 384: fp32 1.5 GB + int8 0.4 GB + fp16 0.8 GB + graph ~0.4 GB, within
 * # run.sh's -Xmx8g; most of the time goes into the HNSW build (on --build-threads, default all cores)
 * BENCH_JAVA_OPTS="--add-modules jdk.incubator.vector" bench/run.sh RetrievalBench --sizes 100000,1000000
 * # real embeddings: the first N distinct Debian descriptions (train, then dev; ~54k), then their distinct paragraphs
 * # (up to ~116k texts in all; max 128 tokens), embedded once (~10 min for 20,000 on 2 cores; about 3x faster with
 * # -Dloradist.mkl.amdAvx512=true on AMD) and cached in --cache FILE for the next runs; the queries are Debian
 * # synopses embedded apart from the corpus (train: the corpus packages' own synopses; dev: the dev split's)
 * BENCH_JAVA_OPTS="--add-modules jdk.incubator.vector" bench/run.sh RetrievalBench --debian 20000 \
 *     --cache /tmp/debian-20000.vec [--query-split train|dev]
 * # real embeddings at 1M: distinct 12-word windows at stride 2 over the Debian descriptions, then over the
 * # PostgreSQL manual's pages (1M: 855k Debian windows, then 145k of the manual), embedded once (35 min on 2 cores
 * # with the MKL switch) and cached; at 1M, --m 32 --beam 200 reaches recall@10 0.95 from ef 50 (build ~12 min)
 * BENCH_JAVA_OPTS="--add-modules jdk.incubator.vector -Dloradist.mkl.amdAvx512=true" bench/run.sh RetrievalBench \
 *     --windows 1000000 --cache /tmp/windows-1m.vec [--window-words 12] [--window-stride 2]
 * # an embeddings folder written by lora-dist embed, read as the Retriever reads it; Debian synopses embedded with
 * # the folder's model are the queries
 * BENCH_JAVA_OPTS="--add-modules jdk.incubator.vector" bench/run.sh RetrievalBench --embeddings out/embed
 * # more: [--dim 384] [--queries 1000] [--exact-queries 100] [--m 16] [--beam 100]
 * #   [--ef 10,20,50,100,200,400,800] [--threads CPUS (concurrent queries)] [--build-threads CPUS]
 * #   [--storages int8,fp16 (beside fp32)] [--max-tokens 128] [--seed 42] [--data ../shared/data]
 * #   [--graph-file PATH (save the built graph there, load it back, time both, compare every answer)]
 * </pre>
 *
 * <p>Figures: {@code setup}; {@code generate}, {@code embed}, {@code cache_read}/{@code cache_write} or {@code load}
 * (where the vectors came from); {@code truth} (exact fp32 top-10 of every query, on all query threads);
 * {@code search} per exact storage/kernel (timed on the first --exact-queries) and per HNSW ef (all queries);
 * {@code hnsw_build} (wall and process CPU seconds, threads, graph bytes); {@code hnsw_graph_file} (save and load
 * seconds, file bytes, whether the loaded graph answers every query as the built one); {@code target}.
 *
 * <p>Random unit vectors are the hard case for HNSW (no cluster structure, high intrinsic dimension): a graph reaches
 * a given recall on them at a far larger ef than on real embeddings, which the --debian and --embeddings runs show.
 */
public final class RetrievalBench {
  private static final Gson GSON = new Gson();
  private static final int K = 10;
  private static final double TARGET_RECALL = 0.95;
  private static final int MIN_PARAGRAPH_WORDS = 5;
  private static final double TARGET_QPS = 1000;
  private static final double CONCURRENT_SECONDS = 2;
  private static final List<String> OPTIONS = List.of("sizes", "dim", "debian", "windows", "window-words",
      "window-stride", "cache", "embeddings", "query-split",
      "max-tokens", "data", "queries", "exact-queries", "m", "beam", "ef", "threads", "build-threads", "storages",
      "seed", "graph-file");

  /** A corpus in fp32 (the truth) and other storages, with its query vectors. */
  private record Corpus(String data, VectorStore fp32, List<VectorStore> others, float[][] queries) {}

  /** What one search configuration measured. */
  private record Measured(double recall, double qps, double qpsConcurrent) {}

  private final Map<String, String> opt;
  private final int exactQueries;
  private final int m;
  private final int beam;
  private final long seed;
  private final int[] efs;
  private final int queryThreads;
  private final int buildThreads;
  private final List<Storage> storages;
  private final DotKernel kernel = DotKernels.best();
  private final ExecutorService pool;

  private RetrievalBench(Map<String, String> opt) {
    this.opt = opt;
    int cpus = Runtime.getRuntime().availableProcessors();
    exactQueries = integer("exact-queries", 100);
    m = integer("m", 16);
    beam = integer("beam", 100);
    seed = Long.parseLong(opt.getOrDefault("seed", "42"));
    efs = Arrays.stream(opt.getOrDefault("ef", "10,20,50,100,200,400,800").split(","))
        .mapToInt(s -> Integer.parseInt(s.strip())).toArray();
    queryThreads = integer("threads", cpus);
    buildThreads = integer("build-threads", cpus);
    storages = Arrays.stream(opt.getOrDefault("storages", "int8,fp16").split(",")).map(String::strip)
        .filter(s -> !s.isEmpty()).map(s -> Storage.valueOf(s.toUpperCase(java.util.Locale.ROOT)))
        .filter(s -> s != Storage.FP32).toList();
    pool = Executors.newFixedThreadPool(queryThreads, r -> {
      Thread t = new Thread(r, "bench-query");
      t.setDaemon(true);
      return t;
    });
  }

  public static void main(String[] args) throws Exception {
    RetrievalBench bench = new RetrievalBench(parse(args));
    try {
      bench.run();
    } finally {
      bench.pool.shutdownNow();
    }
  }

  private void run() throws Exception {
    int queries = integer("queries", 1000);
    emit(line("setup").add("kernel", kernel.name()).add("vector_api", DotKernels.vectorApiPresent())
        .add("cpus", Runtime.getRuntime().availableProcessors()).add("query_threads", queryThreads)
        .add("build_threads", buildThreads).add("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20)
        .add("java", System.getProperty("java.version")));
    if (opt.containsKey("embeddings")) {
      measure(embeddingsFolder(opt.get("embeddings"), queries));
    } else if (opt.containsKey("debian")) {
      measure(debian(Integer.parseInt(opt.get("debian")), queries));
    } else if (opt.containsKey("windows")) {
      measure(windows(integer("windows", 0), queries));
    } else {
      int dim = integer("dim", 384);
      for (String s : opt.getOrDefault("sizes", "100000,1000000").split(",")) {
        measure(random(Integer.parseInt(s.strip()), dim, queries));
        System.gc();
      }
    }
  }

  /** n random unit vectors straight into the stores (no float[][] of 1M rows), and other random queries. */
  private Corpus random(int n, int dim, int queries) {
    Random random = new Random(seed);
    VectorStore fp32 = VectorStore.allocate(Storage.FP32, n, dim, kernel);
    List<VectorStore> others = storages.stream().map(s -> VectorStore.allocate(s, n, dim, kernel)).toList();
    long t0 = System.nanoTime();
    float[] v = new float[dim];
    for (int i = 0; i < n; i++) {
      unit(random, v);
      fp32.set(i, v);
      for (VectorStore o : others) {
        o.set(i, v);
      }
    }
    emit(line("generate").add("vectors", n).add("dim", dim).add("seconds", secs(t0)));
    float[][] qs = new float[queries][];
    Random qr = new Random(seed + 1);
    for (int i = 0; i < queries; i++) {
      qs[i] = unit(qr, new float[dim]);
    }
    return new Corpus("random", fp32, others, qs);
  }

  /**
   * Every query answered by exact fp32 (the truth, on all query threads); exact search timed per storage on the
   * first {@code exactQueries}; the HNSW graph built once and searched at each ef over all queries.
   */
  private void measure(Corpus c) throws Exception {
    float[][] qs = c.queries();
    int n = c.fp32().size();
    ExactIndex exact = new ExactIndex(c.fp32());
    long t0 = System.nanoTime();
    int[][] truth = new int[qs.length][];
    parallel(qs.length, i -> truth[i] = exact.search(qs[i], K).ordinals());
    emit(line("truth").add("data", c.data()).add("vectors", n).add("queries", qs.length)
        .add("threads", queryThreads).add("seconds", secs(t0)));
    float[][] sample = Arrays.copyOf(qs, Math.min(exactQueries, qs.length));
    search(c.data(), n, "exact", exact, c.fp32().bytesPerVector(), sample, truth, Map.of());
    for (VectorStore other : c.others()) {
      search(c.data(), n, "exact", new ExactIndex(other), other.bytesPerVector(), sample, truth, Map.of());
    }
    if (!kernel.name().equals("scalar")) {
      VectorStore scalar = c.fp32().withKernel(DotKernels.named("scalar"));
      search(c.data(), n, "exact", new ExactIndex(scalar), scalar.bytesPerVector(),
          Arrays.copyOf(sample, Math.max(5, sample.length / 4)), truth, Map.of());
    }
    t0 = System.nanoTime();
    long cpu0 = processCpuNanos();
    HnswIndex hnsw = HnswIndex.build(c.fp32(), new HnswIndex.Params(m, beam, efs[0], seed), buildThreads);
    double buildSeconds = secs(t0);
    double buildCpuSeconds = (processCpuNanos() - cpu0) / 1e9;
    long graphBytes = hnsw.graphBytes();
    emit(line("hnsw_build").add("data", c.data()).add("vectors", n).add("m", m).add("beam_width", beam)
        .add("threads", buildThreads).add("seconds", buildSeconds).add("cpu_seconds", buildCpuSeconds)
        .add("vectors_per_s", n / buildSeconds)
        .add("graph_bytes", graphBytes).add("graph_bytes_per_vector", (double) graphBytes / n));
    if (opt.containsKey("graph-file")) {
      saveAndLoad(c, hnsw, buildSeconds, java.nio.file.Path.of(opt.get("graph-file")));
    }
    Line target = null;
    Measured best = null;
    int bestEf = 0;
    for (int ef : efs) {
      Measured at = search(c.data(), n, "hnsw", hnsw.withEfSearch(ef), c.fp32().bytesPerVector()
          + (double) graphBytes / n, qs, truth, Map.of("m", m, "beam_width", beam, "ef_search", ef));
      if (target == null && at.recall() >= TARGET_RECALL) {
        target = line("target").add("data", c.data()).add("vectors", n).add("reached", true).add("ef_search", ef)
            .add("recall_at_10", at.recall()).add("qps_1_thread", at.qps())
            .add("qps_concurrent", at.qpsConcurrent()).add("concurrent_threads", queryThreads)
            .add("met_on_1_thread", at.qps() >= TARGET_QPS)
            .add("met_on_" + queryThreads + "_threads", at.qpsConcurrent() >= TARGET_QPS);
      }
      if (best == null || at.recall() > best.recall()) {
        best = at;
        bestEf = ef;
      }
    }
    if (target == null && best != null) {
      target = line("target").add("data", c.data()).add("vectors", n).add("reached", false)
          .add("best_ef_search", bestEf).add("best_recall_at_10", best.recall());
    }
    if (target != null) {
      emit(target.add("target_recall_at_10", TARGET_RECALL).add("target_qps", TARGET_QPS));
    }
  }

  /** One thread, one query at a time (latency), then the same queries on all query threads (throughput). */
  private Measured search(String data, int n, String kind, VectorIndex index, double bytesPerVector, float[][] qs,
      int[][] truth, Map<String, Object> params) throws Exception {
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
    double qps = qs.length / seconds;
    double qpsConcurrent = throughput(index, qs);
    Arrays.sort(nanos);
    recall /= qs.length;
    Line l = line("search").add("data", data).add("vectors", n).add("index", kind)
        .add("storage", index.store().storage().name().toLowerCase(java.util.Locale.ROOT))
        .add("kernel", index.store().kernel().name()).add("queries", qs.length)
        .add("qps", qps).add("p50_ms", nanos[nanos.length / 2] / 1e6)
        .add("p99_ms", nanos[Math.min(nanos.length - 1, (int) Math.ceil(nanos.length * 0.99) - 1)] / 1e6)
        .add("qps_concurrent", qpsConcurrent).add("concurrent_threads", queryThreads)
        .add("recall_at_10", recall).add("bytes_per_vector", bytesPerVector);
    params.forEach(l::add);
    emit(l);
    return new Measured(recall, qps, qpsConcurrent);
  }

  /**
   * Queries/s of all query threads searching at once, each taking the next query, for one pass over the queries
   * and at least {@link #CONCURRENT_SECONDS} (a short run would mostly time the threads' start).
   */
  private double throughput(VectorIndex index, float[][] qs) throws Exception {
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime();
    long until = start + (long) (CONCURRENT_SECONDS * 1e9);
    List<Callable<Void>> workers = new ArrayList<>();
    for (int t = 0; t < queryThreads; t++) {
      workers.add(() -> {
        for (int i = next.getAndIncrement(); i < qs.length || System.nanoTime() < until; i = next.getAndIncrement()) {
          index.search(qs[i % qs.length], K);
        }
        return null;
      });
    }
    invokeAll(workers);
    // the last getAndIncrement of each thread took a number it did not search
    return (next.get() - queryThreads) / secs(start);
  }

  private void invokeAll(List<Callable<Void>> workers) throws Exception {
    for (Future<Void> f : pool.invokeAll(workers)) {
      try {
        f.get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }
  }

  /** Runs {@code task(i)} for i in [0, count) on the query threads, each taking the next i. */
  private void parallel(int count, java.util.function.IntConsumer task) throws Exception {
    AtomicInteger next = new AtomicInteger();
    List<Callable<Void>> workers = new ArrayList<>();
    for (int t = 0; t < queryThreads; t++) {
      workers.add(() -> {
        for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
          task.accept(i);
        }
        return null;
      });
    }
    invokeAll(workers);
  }

  /**
   * Real embeddings: the first N distinct Debian descriptions (train, then dev), then their distinct paragraphs of at
   * least {@value #MIN_PARAGRAPH_WORDS} words (the corpus), and Debian synopses (the queries),
   * embedded by the default model; read from {@code --cache FILE} when it holds exactly these, else embedded and
   * written there.
   */
  private Corpus debian(int n, int queries) throws Exception {
    int maxTokens = integer("max-tokens", 128);
    String split = opt.getOrDefault("query-split", "train");
    String key = "debian-packages train+dev descriptions then paragraphs=" + n + " queries=" + queries + " query_split=" + split
        + " max_tokens=" + maxTokens + " model=" + DefaultModel.NAME;
    return embeddedOrCached("debian", key, split, maxTokens, () -> {
      List<String> texts = new ArrayList<>();
      List<String> corpusSynopses = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      List<JsonObject> rows = new ArrayList<>(debianRows("train"));
      rows.addAll(debianRows("dev"));
      for (JsonObject o : rows) {
        String d = o.get("description").getAsString();
        if (texts.size() < n && !d.isBlank() && seen.add(d)) {
          texts.add(d);
          corpusSynopses.add(o.get("synopsis").getAsString());
        }
      }
      // Past the ~54k distinct descriptions, their paragraphs: what a chunked corpus of the same text holds.
      for (JsonObject o : rows) {
        for (String paragraph : o.get("description").getAsString().split("\\n\\s*\\n")) {
          String p = paragraph.strip();
          if (texts.size() < n && p.split("\\s+").length >= MIN_PARAGRAPH_WORDS && seen.add(p)) {
            texts.add(p);
          }
        }
      }
      if (texts.size() < n) {
        throw new IllegalArgumentException("--debian " + n + ": the Debian splits hold only " + texts.size()
            + " distinct descriptions and paragraphs");
      }
      List<String> querySynopses = split.equals("train") ? corpusSynopses : synopses(split);
      return new Texts(texts, spread(querySynopses, queries));
    });
  }

  /**
   * Real embeddings at sizes the Debian texts alone cannot reach: the first N distinct windows of
   * {@code --window-words} words (default 12) at stride {@code --window-stride} (default 2) over the distinct Debian
   * descriptions (train, then dev), then over the PostgreSQL manual's pages; the queries are synopses of
   * {@code --query-split}.
   */
  private Corpus windows(int n, int queries) throws Exception {
    int words = integer("window-words", 12);
    int stride = integer("window-stride", 2);
    int maxTokens = integer("max-tokens", 128);
    String split = opt.getOrDefault("query-split", "train");
    String key = "windows of " + words + " words stride " + stride + " over debian-packages train+dev descriptions"
        + " then postgresql-15 pages=" + n + " queries=" + queries + " query_split=" + split + " max_tokens="
        + maxTokens + " model=" + DefaultModel.NAME;
    return embeddedOrCached("windows", key, split, maxTokens, () -> {
      long t0 = System.nanoTime();
      TextWindows windows = new TextWindows(words, stride, n);
      Set<String> descriptions = new java.util.LinkedHashSet<>();
      for (String s : List.of("train", "dev")) {
        debianRows(s).forEach(o -> descriptions.add(o.get("description").getAsString()));
      }
      descriptions.forEach(windows::add);
      windows.addHtmlPages(dataDir().resolve("postgresql-docs").resolve("postgresql-15-html.tar.gz"));
      List<String> texts = windows.windows();
      if (texts.size() < n) {
        throw new IllegalArgumentException("--windows " + n + ": the Debian descriptions and the PostgreSQL manual"
            + " hold only " + texts.size() + " distinct windows of " + words + " words at stride " + stride);
      }
      emit(line("windows").add("texts", texts.size()).add("words", words).add("stride", stride)
          .add("seconds", secs(t0)));
      return new Texts(texts, spread(synopses(split), queries));
    });
  }

  /** Real texts to embed: the corpus, and the queries (already as many as --queries asks). */
  private record Texts(List<String> corpus, List<String> queries) {}

  /**
   * The corpus and query vectors stored under {@code key} in {@code --cache FILE} when it holds exactly these; else
   * the texts are built, embedded by the default model (the corpus in slices, a progress line each: 1M texts take
   * over half an hour) and written there for the next run.
   */
  private Corpus embeddedOrCached(String data, String key, String split, int maxTokens, Callable<Texts> build)
      throws Exception {
    Path cache = opt.containsKey("cache") ? Path.of(opt.get("cache")) : null;
    long t0 = System.nanoTime();
    if (cache != null && Files.exists(cache)) {
      List<float[][]> blocks = VectorFile.read(cache, key);
      emit(line("cache_read").add("data", data).add("file", cache.toString()).add("vectors", blocks.get(0).length)
          .add("queries", blocks.get(1).length).add("seconds", secs(t0)));
      return fromRows(data, blocks.get(0), blocks.get(1));
    }
    Texts texts = build.call();
    int n = texts.corpus().size();
    float[][] corpus = new float[n][];
    float[][] qs;
    int slice = 20_000;
    try (TextEmbedder embedder = TextEmbedder.forModel("default",
        TextEmbedder.Options.defaults().withMaxTokens(maxTokens))) {
      for (int from = 0; from < n; from += slice) {
        float[][] part = embedder.embed(texts.corpus().subList(from, Math.min(n, from + slice)));
        System.arraycopy(part, 0, corpus, from, part.length);
        emit(line("embed_progress").add("data", data).add("vectors", from + part.length).add("seconds", secs(t0)));
      }
      qs = embedder.embed(texts.queries());
    }
    emit(line("embed").add("data", data).add("vectors", n).add("queries", qs.length).add("query_split", split)
        .add("max_tokens", maxTokens).add("seconds", secs(t0)));
    if (cache != null) {
      VectorFile.write(cache, key, List.of(corpus, qs));
      emit(line("cache_write").add("file", cache.toString()).add("bytes", Files.size(cache)));
    }
    return fromRows(data, corpus, qs);
  }

  /**
   * An {@code embeddings} folder as written by {@code lora-dist embed}, read the way the Retriever reads it; the
   * queries are Debian synopses embedded by the folder's own model (an adapter's embeddings are refused: the bench
   * embeds queries with base models only).
   */
  private Corpus embeddingsFolder(String dir, int queries) throws Exception {
    long t0 = System.nanoTime();
    LoadedEmbeddings loaded = LoadedEmbeddings.load(dir, Storage.FP32, kernel, new Configuration());
    if (loaded.adapter() != null) {
      throw new IllegalArgumentException("embeddings folder " + dir + " was made with adapter '" + loaded.adapter()
          + "': this bench embeds its queries with the base model only, so it would compare unlike vectors");
    }
    String model;
    String column = loaded.model();
    // the spellings of the bundled model that embed has written (as jobs' ModelNames reads them)
    if (column == null || column.isBlank() || column.equals("default") || column.equals(DefaultModel.NAME)
        || column.equals(PeftAdapter.DEFAULT_BASE_MODEL)) {
      model = "default";
    } else if (loaded.model() != null && new File(loaded.model()).isDirectory()) {
      model = loaded.model();
    } else {
      throw new IllegalArgumentException("embeddings folder " + dir + " was made by model '" + loaded.model()
          + "', which is neither the default model (" + DefaultModel.NAME + ") nor a model directory here");
    }
    emit(line("load").add("data", "embeddings").add("folder", dir).add("model", loaded.model())
        .add("vectors", loaded.size()).add("dim", loaded.dimension()).add("seconds", secs(t0)));
    String split = opt.getOrDefault("query-split", "train");
    t0 = System.nanoTime();
    float[][] qs;
    try (TextEmbedder embedder = TextEmbedder.forModel(model,
        TextEmbedder.Options.defaults().withMaxTokens(integer("max-tokens", 128)))) {
      if (embedder.dimension() != loaded.dimension()) {
        throw new IllegalArgumentException("model " + model + " embeds " + embedder.dimension()
            + " numbers, the vectors in " + dir + " have " + loaded.dimension());
      }
      qs = embedder.embed(spread(synopses(split), queries));
    }
    emit(line("embed").add("data", "embeddings").add("queries", qs.length).add("query_split", split)
        .add("seconds", secs(t0)));
    VectorStore fp32 = loaded.store();
    List<VectorStore> others = new ArrayList<>();
    for (Storage s : storages) {
      VectorStore o = VectorStore.allocate(s, fp32.size(), fp32.dimension(), kernel);
      for (int i = 0; i < fp32.size(); i++) {
        o.set(i, fp32.vector(i));
      }
      others.add(o);
    }
    return new Corpus("embeddings", fp32, others, qs);
  }

  private Corpus fromRows(String data, float[][] corpus, float[][] qs) {
    int dim = corpus[0].length;
    VectorStore fp32 = VectorStore.allocate(Storage.FP32, corpus.length, dim, kernel);
    List<VectorStore> others = storages.stream().map(s -> VectorStore.allocate(s, corpus.length, dim, kernel))
        .toList();
    for (int i = 0; i < corpus.length; i++) {
      fp32.set(i, corpus[i]);
      for (VectorStore o : others) {
        o.set(i, corpus[i]);
      }
    }
    return new Corpus(data, fp32, others, qs);
  }

  /** The distinct non-blank synopses of a Debian split, in file order. */
  private List<String> synopses(String split) throws Exception {
    Set<String> out = new java.util.LinkedHashSet<>();
    for (JsonObject o : debianRows(split)) {
      String s = o.get("synopsis").getAsString();
      if (!s.isBlank()) {
        out.add(s);
      }
    }
    return new ArrayList<>(out);
  }

  /** {@code count} items spread evenly over {@code all} (all of them when there are fewer). */
  private static List<String> spread(List<String> all, int count) {
    int take = Math.min(count, all.size());
    List<String> out = new ArrayList<>(take);
    for (int i = 0; i < take; i++) {
      out.add(all.get((int) ((long) i * all.size() / take)));
    }
    return out;
  }

  private List<JsonObject> debianRows(String split) throws Exception {
    if (!split.equals("train") && !split.equals("dev")) {
      throw new IllegalArgumentException("--query-split must be train or dev, got " + split);
    }
    Path file = dataDir().resolve("debian-packages").resolve(split + ".jsonl.gz");
    List<JsonObject> rows = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
        StandardCharsets.UTF_8))) {
      int lineNo = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNo++;
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        if (!o.has("description") || !o.has("synopsis")) {
          throw new IllegalArgumentException(file + ":" + lineNo + ": no description or synopsis");
        }
        rows.add(o);
      }
    }
    return rows;
  }

  /** --data, else shared/data beside the checkout seen from bench/ (run.sh) or from the checkout root. */
  private Path dataDir() {
    if (opt.containsKey("data")) {
      return Path.of(opt.get("data"));
    }
    for (String candidate : List.of("../shared/data", "../../shared/data")) {
      if (Files.isDirectory(Path.of(candidate))) {
        return Path.of(candidate);
      }
    }
    throw new IllegalArgumentException("no shared/data found at ../shared/data or ../../shared/data: give --data DIR");
  }

  private int integer(String name, int fallback) {
    String v = opt.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + v + "'");
    }
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

  /**
   * CPU time of the whole process (the build's threads, plus JIT and GC): next to wall seconds it shows how many
   * cores a build kept busy, which a machine shared with other work hides in the wall time.
   */
  private static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  /** What serve's graph file saves: the save and load times, and the loaded graph answering as the built one. */
  private void saveAndLoad(Corpus c, HnswIndex built, double buildSeconds, java.nio.file.Path file)
      throws java.io.IOException {
    long t0 = System.nanoTime();
    built.save(file, 1L);
    double saveSeconds = secs(t0);
    t0 = System.nanoTime();
    HnswIndex loaded = HnswIndex.load(c.fp32(), built.params(), file, 1L).orElseThrow();
    double loadSeconds = secs(t0);
    int same = 0;
    for (float[] q : c.queries()) {
      same += Arrays.equals(built.search(q, K).ordinals(), loaded.search(q, K).ordinals()) ? 1 : 0;
    }
    emit(line("hnsw_graph_file").add("data", c.data()).add("vectors", c.fp32().size())
        .add("file_bytes", java.nio.file.Files.size(file)).add("save_seconds", saveSeconds)
        .add("load_seconds", loadSeconds).add("build_seconds", buildSeconds)
        .add("queries_answered_identically", same).add("queries", c.queries().length));
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got " + Arrays.toString(args));
      }
      String name = args[i].substring(2);
      if (!OPTIONS.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + " (known: " + OPTIONS + ")");
      }
      out.put(name, args[++i]);
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
