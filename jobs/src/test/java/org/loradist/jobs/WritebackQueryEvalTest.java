package org.loradist.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.lora.AdaptedModel;
import org.loradist.lora.LoraConfig;
import org.loradist.lora.LoraMerge;
import org.loradist.lora.PeftAdapter;
import org.loradist.lora.PeftFormat;
import org.loradist.model.TextEmbedder;
import org.loradist.pipelines.Schemas;
import org.loradist.pipelines.adapt.AdaptedModels;
import org.loradist.pipelines.adapt.AdapterInfo;
import org.loradist.pipelines.adapt.AdapterSpec;
import org.loradist.pipelines.retrieve.ExactSearch;
import org.loradist.train.lora.LabeledText;
import org.loradist.train.lora.LoraTask;
import org.loradist.train.lora.LoraTraining;
import org.loradist.train.lora.LoraTrainingConfig;
import org.loradist.train.lora.TextPair;
import org.loradist.weights.ModelCache;

/**
 * writeback, query and eval on a real slice of debian-packages dev (three sections), with two adapters trained here
 * for a few steps: one classifier (description → section), one retrieval adapter (synopsis → description).
 */
class WritebackQueryEvalTest {
  static final List<String> SECTIONS = List.of("doc", "perl", "python");
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static SparkSession spark;
  static List<Map<String, Object>> trainRows = new ArrayList<>();
  static List<Map<String, Object>> evalRows = new ArrayList<>();
  static Path chunks;
  static Path clsAdapter;
  static Path retAdapter;

  @BeforeAll
  static void setUp() throws Exception {
    Map<String, Integer> seen = new HashMap<>();
    Path data = Path.of("../../shared/data/debian-packages/dev.jsonl.gz");
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(data)),
        StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> o = JSON.readValue(line, Map.class);
        String section = (String) o.get("section");
        int n = seen.merge(section, 1, Integer::sum);
        if (SECTIONS.contains(section) && n <= 12) {
          trainRows.add(o);
        } else if (SECTIONS.contains(section) && n <= 18) {
          evalRows.add(o);
        }
      }
    }
    spark = SparkSession.builder().master("local[2]").appName("writeback-test").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    chunks = dir.resolve("chunks");
    List<Row> rows = new ArrayList<>();
    for (Map<String, Object> o : evalRows) {
      String text = (String) o.get("description");
      rows.add(RowFactory.create(o.get("package") + "#0", o.get("package"), 0, text, 0, text.length(), 10, List.of(),
          Map.of()));
    }
    rows.add(RowFactory.create("blank#0", "blank", 0, "  ", 0, 2, 0, List.of(), Map.of()));
    spark.createDataFrame(rows, Schemas.CHUNKS).repartition(2).write().parquet(chunks.toString());

    List<LabeledText> labelled = new ArrayList<>();
    List<TextPair> pairs = new ArrayList<>();
    for (Map<String, Object> o : trainRows) {
      labelled.add(new LabeledText((String) o.get("package"), (String) o.get("description"),
          SECTIONS.indexOf(o.get("section"))));
      pairs.add(new TextPair((String) o.get("package"), (String) o.get("synopsis"), (String) o.get("description")));
    }
    LoraConfig lora = LoraConfig.of(4, 8, 0.0, List.of("query", "value"));
    LoraTraining.trainClassifier(spark, labelled, SECTIONS, List.of(), LoraTrainingConfig
        .builder(LoraTask.CLASSIFICATION).maxTokens(48).lora(lora).batchSize(8).maxSteps(4).lr(5e-3).build(),
        dir.resolve("cls").toString());
    LoraTraining.trainRetrieval(spark, pairs, List.of(), LoraTrainingConfig.builder(LoraTask.RETRIEVAL).maxTokens(48)
        .lora(lora).batchSize(8).maxSteps(4).lr(5e-3).build(), dir.resolve("ret").toString());
    lap("adapters trained");
    clsAdapter = dir.resolve("cls/adapter");
    retAdapter = dir.resolve("ret/adapter");
  }

  static long t0 = System.nanoTime();

  static void lap(String what) {
    long cpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
    System.out.printf("[timing] %s at %.1f s wall, %.1f s process CPU%n", what, (System.nanoTime() - t0) / 1e9,
        cpu / 1e9);
  }

  /** The base model's embeddings of the chunks (an embed output), made once for both evals. */
  static synchronized Path baseEmbeddings() {
    Path base = dir.resolve("base-emb");
    if (!Files.exists(base.resolve("_SUCCESS"))) {
      MainTest.Result r = MainTest.run("embed", "--chunks", chunks.toString(), "--output", base.toString());
      assertThat(r.code()).as(r.err()).isZero();
      lap("base embeddings");
    }
    return base;
  }

  @AfterAll
  static void tearDown() {
    if (spark != null) {
      spark.stop();
    }
  }


  static Map<String, float[]> vectors(Path out) {
    Map<String, float[]> m = new LinkedHashMap<>();
    for (Row r : spark.read().parquet(out.resolve("embeddings").toString()).collectAsList()) {
      List<Float> v = r.getList(1);
      float[] f = new float[v.size()];
      for (int i = 0; i < f.length; i++) {
        f[i] = v.get(i);
      }
      m.put(r.getString(0), f);
    }
    return m;
  }

  static double maxDiff(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }

  static Path writeJsonl(String name, List<Map<String, Object>> rows) throws Exception {
    Path p = dir.resolve(name);
    StringBuilder sb = new StringBuilder();
    for (Map<String, Object> r : rows) {
      sb.append(JSON.writeValueAsString(r)).append('\n');
    }
    Files.writeString(p, sb.toString());
    return p;
  }

  @Test
  void retrievalAdapterReembedsAndNeverOverwrites() throws Exception {
    Path live = dir.resolve("wb-ret");
    MainTest.Result r = MainTest.run("writeback", "--chunks", chunks.toString(), "--adapter", retAdapter.toString(),
        "--output", live.toString());
    assertThat(r.code()).as(r.err()).isZero();
    lap("retrieval writeback");
    AdapterSpec spec = new AdapterSpec("default", retAdapter.toAbsolutePath().normalize().toString(), 256, false);
    assertThat(AdaptedModels.built(spec)).as("one model per task slot, not per partition").isBetween(1, 2);

    Map<String, Object> counts = PrepOutputs.counts(live);
    assertThat(PrepOutputs.count(counts, "embeddings")).isEqualTo(evalRows.size());
    assertThat(PrepOutputs.count(counts, "rejected")).isEqualTo(1);
    String adapterId = AdapterInfo.read(retAdapter.toString()).id();
    List<Row> meta = spark.read().parquet(live.resolve("embeddings").toString()).select("model", "adapter").distinct()
        .collectAsList();
    assertThat(meta).hasSize(1);
    assertThat(meta.get(0).getString(0)).isEqualTo("all-MiniLM-L6-v2");
    assertThat(meta.get(0).getString(1)).isEqualTo(adapterId).startsWith(retAdapter.toAbsolutePath().toString() + "@sha256:");

    // the job ran base + live LoRA branch; the same adapter folded into the weights gives the same vectors
    Map<String, float[]> a = vectors(live);
    List<String> ids = new ArrayList<>(a.keySet());
    List<String> texts = new ArrayList<>();
    Map<String, String> byId = new HashMap<>();
    evalRows.forEach(o -> byId.put(o.get("package") + "#0", (String) o.get("description")));
    ids.forEach(id -> texts.add(byId.get(id)));
    float[][] base;
    float[][] merged;
    try (TextEmbedder e = TextEmbedder.forModel("default", TextEmbedder.Options.defaults());
        AdaptedModel m = AdaptedModel.load("default", PeftFormat.read(retAdapter), 256, true)) {
      base = e.embed(texts);
      merged = m.embed(texts);
    }
    double mergeDiff = 0;
    double adapterEffect = 0;
    for (int i = 0; i < ids.size(); i++) {
      mergeDiff = Math.max(mergeDiff, maxDiff(a.get(ids.get(i)), merged[i]));
      adapterEffect = Math.max(adapterEffect, maxDiff(a.get(ids.get(i)), base[i]));
    }
    System.out.printf("writeback: max |live LoRA - merged| = %.3g, max |adapted - base| = %.3g%n", mergeDiff,
        adapterEffect);
    assertThat(mergeDiff).isLessThanOrEqualTo(1e-5);
    assertThat(adapterEffect).as("the adapter changes the embeddings").isGreaterThan(1e-3);

    // same inputs and settings: skipped; other settings into the same folder: refused, the old version intact
    r = MainTest.run("writeback", "--chunks", chunks.toString(), "--adapter", retAdapter.toString(), "--output",
        live.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("already complete");
    r = MainTest.run("writeback", "--chunks", chunks.toString(), "--adapter", retAdapter.toString(), "--output",
        live.toString(), "--max-tokens", "128");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).doesNotContain("\n").contains("already holds a complete writeback output");
    assertThat(vectors(live).keySet()).isEqualTo(a.keySet());

    queryTopKEqualsBruteForceAndRejectsBadQueries(live);
  }

  void queryTopKEqualsBruteForceAndRejectsBadQueries(Path embeddings) throws Exception {
    List<Map<String, Object>> queries = new ArrayList<>();
    for (Map<String, Object> o : evalRows) {
      queries.add(Map.of("id", o.get("package"), "query", o.get("synopsis")));
    }
    queries.add(Map.of("id", "empty", "query", "   "));
    queries.add(Map.of("id", "huge", "query", "python module documentation ".repeat(150)));
    queries.add(Map.of("id", "enormous", "query", "x".repeat(25_000)));
    queries.add(Map.of("query", "no id here"));
    queries.add(Map.of("id", evalRows.get(0).get("package"), "query", "a repeated id"));
    Path qfile = writeJsonl("queries.jsonl", queries);
    Path out = dir.resolve("query-out");
    int k = 5;
    MainTest.Result r = MainTest.run("query", "--embeddings", embeddings.toString(), "--queries", qfile.toString(),
        "--k", String.valueOf(k), "--output", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    lap("query");
    Map<String, Object> counts = PrepOutputs.counts(out);
    assertThat(PrepOutputs.count(counts, "queries")).isEqualTo(evalRows.size() + 1);
    assertThat(PrepOutputs.count(counts, "truncated")).isEqualTo(1);
    assertThat(PrepOutputs.count(counts, "rejected")).isEqualTo(4);
    Map<String, String> reasons = new HashMap<>();
    spark.read().parquet(out.resolve("rejects").toString()).collectAsList()
        .forEach(row -> reasons.put(row.getString(0), row.getString(3)));
    assertThat(reasons).containsEntry("empty", QueryJob.EMPTY).containsEntry("enormous", QueryJob.TOO_LONG)
        .containsEntry(qfile.toString(), QueryJob.MISSING_ID)
        .containsEntry((String) evalRows.get(0).get("package"), QueryJob.DUPLICATE_ID);

    // brute force on the driver: every corpus vector against the queries embedded in-process
    Map<String, float[]> corpus = vectors(embeddings);
    List<String> qids = new ArrayList<>();
    List<String> qtexts = new ArrayList<>();
    for (Map<String, Object> q : queries.subList(0, evalRows.size() + 3)) {
      if (!List.of("empty", "enormous").contains(q.get("id"))) {
        qids.add((String) q.get("id"));
        qtexts.add((String) q.get("query"));
      }
    }
    float[][] qv;
    try (AdaptedModel m = AdaptedModel.load("default", PeftFormat.read(retAdapter), 256, false)) {
      qv = m.embed(qtexts);
    }
    Map<String, List<Row>> got = new HashMap<>();
    for (Row row : spark.read().parquet(out.resolve("rankings").toString()).orderBy("query_id", "rank")
        .collectAsList()) {
      got.computeIfAbsent(row.getString(0), x -> new ArrayList<>()).add(row);
    }
    assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(qids);
    for (int q = 0; q < qids.size(); q++) {
      final float[] query = qv[q];
      List<Map.Entry<String, Float>> all = new ArrayList<>();
      corpus.forEach((id, v) -> all.add(Map.entry(id, ExactSearch.dot(query, 0, v, v.length))));
      all.sort(Comparator.<Map.Entry<String, Float>>comparingDouble(e -> -e.getValue())
          .thenComparing(Map.Entry::getKey));
      List<Row> ranked = got.get(qids.get(q));
      assertThat(ranked).hasSize(k);
      for (int i = 0; i < k; i++) {
        assertThat(ranked.get(i).getInt(1)).isEqualTo(i + 1);
        assertThat((double) ranked.get(i).getFloat(3)).isCloseTo(all.get(i).getValue(), within(1e-5));
        boolean nearTie = (i > 0 && all.get(i - 1).getValue() - all.get(i).getValue() < 1e-5)
            || all.get(i).getValue() - all.get(i + 1).getValue() < 1e-5;
        if (!nearTie) {
          assertThat(ranked.get(i).getString(2)).as(qids.get(q) + " rank " + (i + 1)).isEqualTo(all.get(i).getKey());
        }
      }
    }

    // refused with one line: another adapter, no adapter on base embeddings, another model, another dimension
    r = MainTest.run("query", "--embeddings", embeddings.toString(), "--queries", qfile.toString(), "--output",
        dir.resolve("q2").toString(), "--adapter", clsAdapter.toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).doesNotContain("\n").contains("not with adapter");
    r = MainTest.run("query", "--embeddings", embeddings.toString(), "--queries", qfile.toString(), "--output",
        dir.resolve("q2").toString(), "--model", dir.resolve("other-model").toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).contains("were made by model 'all-MiniLM-L6-v2', not '" + dir.resolve("other-model"));
    Path small = dir.resolve("dim8");
    spark.createDataFrame(List.of(RowFactory.create("c#0", new Float[] {1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f},
        "all-MiniLM-L6-v2", null)), Schemas.EMBEDDINGS).write().parquet(small.resolve("embeddings").toString());
    r = MainTest.run("query", "--embeddings", small.toString(), "--queries", qfile.toString(), "--output",
        dir.resolve("q3").toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).doesNotContain("\n").contains("have dimension 8, model 'all-MiniLM-L6-v2' embeds in 384");
    r = MainTest.run("query", "--embeddings", small.toString(), "--queries", qfile.toString(), "--output",
        dir.resolve("q3").toString(), "--adapter", retAdapter.toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).contains("were made with no adapter");

    retrievalEvalAgainstComputedBaseline(embeddings, qfile);
  }

  void retrievalEvalAgainstComputedBaseline(Path adapted, Path queries) throws Exception {
    Path base = baseEmbeddings();
    Path out = dir.resolve("eval-ret");
    MainTest.Result r = MainTest.run("eval", "--embeddings", adapted.toString(), "--judgements", queries.toString(),
        "--judgement-query-field", "id", "--judgement-target-field", "id", "--chunks", chunks.toString(),
        "--baseline", base.toString(), "--queries", queries.toString(), "--output", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    lap("retrieval eval");
    @SuppressWarnings("unchecked")
    Map<String, Object> metrics = JSON.readValue(out.resolve("metrics.json").toFile(), Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Double>> systems = (Map<String, Map<String, Double>>) metrics.get("systems");
    assertThat(systems.keySet()).containsExactly("adapter", "baseline");
    assertThat(systems.get("baseline").get("recall@10")).isBetween(0.3, 1.0);
    assertThat(metrics.get("verdict").toString()).contains("ndcg@10");
    System.out.println("retrieval eval: " + systems + " -> " + metrics.get("verdict"));
    assertThat(Files.readString(out.resolve("report.html"))).contains("<svg", metrics.get("verdict").toString()
        .substring(0, 20));
  }

  @Test
  void classificationAdapterPredictsAndEvalComputesBaselines() throws Exception {
    Path out = dir.resolve("wb-cls");
    MainTest.Result r = MainTest.run("writeback", "--chunks", chunks.toString(), "--adapter", clsAdapter.toString(),
        "--output", out.toString(), "--merge");
    assertThat(r.code()).as(r.err()).isZero();
    lap("classification writeback");
    List<Row> preds = spark.read().parquet(out.resolve("predictions").toString()).orderBy("chunk_id").collectAsList();
    assertThat(preds).hasSize(evalRows.size());
    List<String> texts = new ArrayList<>();
    Map<String, String> byId = new HashMap<>();
    evalRows.forEach(o -> byId.put(o.get("package") + "#0", (String) o.get("description")));
    preds.forEach(p -> texts.add(byId.get(p.<String>getAs("chunk_id"))));
    // the job folded the adapter into the weights (--merge); the live LoRA branch gives the same probabilities
    float[][] logits;
    try (AdaptedModel m = AdaptedModel.load("default", PeftFormat.read(clsAdapter), 256, false)) {
      logits = m.logits(texts);
    }
    for (int i = 0; i < preds.size(); i++) {
      Row p = preds.get(i);
      Map<String, Float> probs = p.getJavaMap(p.fieldIndex("probabilities"));
      assertThat(probs.keySet()).containsExactlyInAnyOrderElementsOf(SECTIONS);
      assertThat(probs.values().stream().mapToDouble(Float::doubleValue).sum()).isCloseTo(1.0, within(1e-5));
      String label = p.getAs("label");
      double max = Double.NEGATIVE_INFINITY;
      double sum = 0;
      for (float l : logits[i]) {
        max = Math.max(max, l);
      }
      for (float l : logits[i]) {
        sum += Math.exp(l - max);
      }
      for (int c = 0; c < SECTIONS.size(); c++) {
        assertThat((double) probs.get(SECTIONS.get(c))).isCloseTo(Math.exp(logits[i][c] - max) / sum, within(1e-5));
      }
      assertThat((double) p.<Float>getAs("probability")).isEqualTo((double) probs.get(label));
      assertThat(p.<String>getAs("doc_id")).isEqualTo(p.<String>getAs("chunk_id").replace("#0", ""));
    }

    Path base = baseEmbeddings();
    List<Map<String, Object>> gold = new ArrayList<>();
    evalRows.forEach(o -> gold.add(Map.of("package", o.get("package"), "section", o.get("section"))));
    List<Map<String, Object>> train = new ArrayList<>();
    trainRows.forEach(o -> train.add(Map.of("description", o.get("description"), "section", o.get("section"))));
    Path evalOut = dir.resolve("eval-cls");
    r = MainTest.run("eval", "--predictions", out.toString(), "--gold", writeJsonl("gold.jsonl", gold).toString(),
        "--id-field", "package", "--label-field", "section", "--baseline", base.toString(), "--train",
        writeJsonl("train.jsonl", train).toString(), "--text-field", "description", "--knn-k", "3",
        "--logreg-max-iter", "20", "--train-limit", String.valueOf(train.size() - 5), "--output",
        evalOut.toString());
    assertThat(r.code()).as(r.err()).isZero();
    lap("classification eval");
    @SuppressWarnings("unchecked")
    Map<String, Object> metrics = JSON.readValue(evalOut.resolve("metrics.json").toFile(), Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Double>> systems = (Map<String, Map<String, Double>>) metrics.get("systems");
    assertThat(systems.keySet()).containsExactly("adapter", "baseline_logreg", "baseline_knn");
    assertThat(metrics.get("level")).isEqualTo("doc");
    assertThat((List<?>) metrics.get("notes")).anySatisfy(n -> assertThat(n.toString())
        .startsWith("the baselines were fitted on " + (train.size() - 5) + " labelled examples"));
    // the adapter's accuracy is recomputed here from the predictions and the gold labels
    int correct = 0;
    for (int i = 0; i < preds.size(); i++) {
      String pkg = preds.get(i).<String>getAs("doc_id");
      String goldLabel = evalRows.stream().filter(o -> o.get("package").equals(pkg)).findFirst().orElseThrow()
          .get("section").toString();
      correct += goldLabel.equals(preds.get(i).getAs("label")) ? 1 : 0;
    }
    assertThat(systems.get("adapter").get("accuracy")).isCloseTo((double) correct / preds.size(), within(1e-12));
    assertThat(systems.get("baseline_logreg").get("accuracy")).as("frozen MiniLM separates doc/perl/python")
        .isGreaterThan(0.5);
    System.out.println("classification eval: " + systems + " -> " + metrics.get("verdict"));
    String html = Files.readString(evalOut.resolve("report.html"));
    assertThat(html).contains("<svg", "Confusion matrix: adapter", "macro_f1");
  }

  @Test
  void handMadeRankingsGiveExactMetricsAndAVerdict() throws Exception {
    org.apache.spark.sql.types.StructType schema = ExactSearch.RANKINGS;
    Path adapter = dir.resolve("hand-adapter");
    Path baseline = dir.resolve("hand-base");
    // adapter: q1 relevant at 1, q2 relevant at 2 → MRR (1 + 1/2)/2 = 0.75; baseline: q1 at 2, q2 missed → 0.25
    spark.createDataFrame(List.of(RowFactory.create("q1", 1, "a", 0.9f), RowFactory.create("q1", 2, "b", 0.8f),
        RowFactory.create("q2", 1, "c", 0.7f), RowFactory.create("q2", 2, "d", 0.6f)), schema)
        .write().parquet(adapter.resolve("rankings").toString());
    spark.createDataFrame(List.of(RowFactory.create("q1", 1, "b", 0.9f), RowFactory.create("q1", 2, "a", 0.8f),
        RowFactory.create("q2", 1, "c", 0.7f), RowFactory.create("q2", 2, "e", 0.6f)), schema)
        .write().parquet(baseline.resolve("rankings").toString());
    Path judgements = writeJsonl("qrels.jsonl", List.of(Map.of("query_id", "q1", "chunk_id", "a"),
        Map.of("query_id", "q2", "chunk_id", "d")));
    Path out = dir.resolve("eval-hand");
    MainTest.Result r = MainTest.run("eval", "--rankings", adapter.toString(), "--baseline", baseline.toString(),
        "--judgements", judgements.toString(), "--output", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    lap("hand-made eval");
    @SuppressWarnings("unchecked")
    Map<String, Object> metrics = JSON.readValue(out.resolve("metrics.json").toFile(), Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Double>> s = (Map<String, Map<String, Double>>) metrics.get("systems");
    double log3 = Math.log(3) / Math.log(2);
    assertThat(s.get("adapter")).containsEntry("recall@1", 0.5).containsEntry("recall@5", 1.0)
        .containsEntry("mrr@10", 0.75);
    assertThat(s.get("adapter").get("ndcg@10")).isCloseTo((1 + 1 / log3) / 2, within(1e-12));
    assertThat(s.get("baseline")).containsEntry("recall@1", 0.0).containsEntry("recall@10", 0.5)
        .containsEntry("mrr@10", 0.25);
    assertThat(s.get("baseline").get("ndcg@10")).isCloseTo(1 / log3 / 2, within(1e-12));
    assertThat(metrics.get("winner")).isEqualTo("adapter");
    assertThat(metrics.get("verdict").toString()).startsWith("The finetuned adapter wins on ndcg@10: 0.8155 against "
        + "0.3155 for the baseline (base model) (+0.5000, +158.5% relative)");
    assertThat(r.out()).contains("report " + out.toUri().getPath().replaceAll("/$", ""));
  }

  @Test
  void missingOrForeignAdapterIsOneLine() throws Exception {
    MainTest.Result r = MainTest.run("writeback", "--chunks", chunks.toString(), "--adapter",
        dir.resolve("no-such-adapter").toString(), "--output", dir.resolve("x").toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).isEqualTo("lora-dist writeback: adapter directory not found: "
        + dir.resolve("no-such-adapter"));
    // a second base model (the default one with an adapter folded in) is not the base the adapter was trained on
    Path otherModel = LoraMerge.writeMergedModel(ModelCache.get("default"), PeftFormat.read(retAdapter),
        dir.resolve("other-base"));
    r = MainTest.run("writeback", "--chunks", chunks.toString(), "--adapter", clsAdapter.toString(), "--model",
        otherModel.toString(), "--output", dir.resolve("x").toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).doesNotContain("\n").contains("was trained on base model 'all-MiniLM-L6-v2', not '"
        + otherModel.toAbsolutePath());
    assertThat(dir.resolve("x")).doesNotExist();
  }
}
