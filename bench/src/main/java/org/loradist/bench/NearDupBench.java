package org.loradist.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.ml.feature.MinHashLSH;
import org.apache.spark.ml.feature.MinHashLSHModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.loradist.pipelines.dedup.DedupConfig;
import org.loradist.pipelines.dedup.DedupResult;
import org.loradist.pipelines.dedup.Deduplicator;
import org.loradist.pipelines.dedup.NearDuplicates;
import org.loradist.pipelines.dedup.Shingler;
import org.loradist.pipelines.dedup.eval.ContentHash;
import org.loradist.pipelines.dedup.eval.GeneratedDoc;
import org.loradist.pipelines.dedup.eval.NearDupCorpusGenerator;
import org.loradist.pipelines.dedup.eval.NearDupQuality;
import org.loradist.pipelines.dedup.eval.QualityReport;
import org.loradist.pipelines.dedup.eval.SimilarPairs;

/**
 * Near-duplicate benchmark; prints one JSON line per figure.
 *
 * <ol>
 *   <li>Generated quality benchmark (Debian train descriptions >= 40 words, copies with 2-15% of words edited,
 *       unrelated descriptions) per shingle size, scored against the exact all-pairs answer.</li>
 *   <li>Peer: Spark MLlib's MinHashLSH (OR of single-hash tables, no banding) on the same generated corpus,
 *       same threshold, timed next to lora-dist's NearDuplicates.pairs.</li>
 *   <li>Dedup of the Debian train split (50k descriptions): exact and near duplicates found, examples.</li>
 * </ol>
 *
 * Args: [dataDir (default ../shared/data)] [originals (default 3000)] [unrelated (default 3000)].
 */
public final class NearDupBench {
  private NearDupBench() {}

  public static void main(String[] args) {
    String dataDir = args.length > 0 ? args[0] : "../shared/data";
    int originals = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
    int unrelated = args.length > 2 ? Integer.parseInt(args[2]) : 3000;
    String train = dataDir + "/debian-packages/train.jsonl.gz";

    SparkSession spark = SparkSession.builder().master("local[2]").appName("near-dup-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    DedupConfig defaults = DedupConfig.defaults();
    for (double s : new double[] {0.3, 0.5, 0.7, 0.8, 0.9}) {
      emit("s_curve", Map.of("bands", defaults.bands(), "rows", defaults.rows(), "jaccard", s,
          "candidate_probability", defaults.candidateProbability(s)));
    }

    List<String> texts = NearDupCorpusGenerator.distinctTexts(NearDupQuality.readField(spark, train, "description"), 40);
    List<GeneratedDoc> corpus = NearDupCorpusGenerator.generate(texts, originals, 3, unrelated, 0.02, 0.15, 7);
    for (int k : new int[] {1, 2, 3, 5}) {
      QualityReport report = NearDupQuality.evaluate(spark, corpus, defaults.withShingleSize(k));
      Map<String, Object> figure = new LinkedHashMap<>();
      figure.put("shingle_size", k);
      figure.put("bands", defaults.bands());
      figure.put("rows", defaults.rows());
      figure.put("threshold", defaults.threshold());
      figure.putAll(report.asMap());
      emit("generated_quality", figure);
    }
    peer(spark, corpus.subList(0, Math.min(corpus.size(), 3000)), defaults);
    debianTrain(spark, train, defaults);
    spark.stop();
  }

  /** MLlib MinHashLSH vs NearDuplicates.pairs on the same docs: time, candidates' outcome vs the exact answer. */
  static void peer(SparkSession spark, List<GeneratedDoc> docs, DedupConfig config) {
    Dataset<Row> input = NearDupQuality.toDataFrame(spark, docs, 4).cache();
    input.count();
    List<java.util.Set<String>> sets = docs.stream()
        .map(d -> Shingler.shingles(d.text(), config.shingleSize())).collect(Collectors.toList());
    long truth = SimilarPairs.find(sets, config.threshold()).size();

    long start = System.nanoTime();
    long ours = NearDuplicates.pairs(input, config).count();
    double oursSeconds = (System.nanoTime() - start) / 1e9;

    int k = config.shingleSize();
    long seed = config.seed();
    int features = 1 << 24;
    UserDefinedFunction toVector = functions.udf((UDF1<String, org.apache.spark.ml.linalg.Vector>) text -> {
      long[] hashes = Shingler.hashedShingles(text, k, seed);
      int[] indices = java.util.Arrays.stream(hashes).mapToInt(h -> (int) Math.floorMod(h, (long) features))
          .distinct().sorted().toArray();
      double[] ones = new double[indices.length];
      java.util.Arrays.fill(ones, 1.0);
      return Vectors.sparse(features, indices, ones);
    }, SQLDataTypes.VectorType());
    Dataset<Row> vectors = input.filter(functions.size(functions.split(functions.trim(col("text")), "\\s+")).gt(0))
        .select(col("doc_id"), toVector.apply(col("text")).as("features")).cache();
    vectors.count();
    for (int tables : new int[] {5, 20}) {
      MinHashLSHModel model = new MinHashLSH().setNumHashTables(tables).setSeed(seed)
          .setInputCol("features").setOutputCol("hashes").fit(vectors);
      start = System.nanoTime();
      long found = model.approxSimilarityJoin(vectors, vectors, 1.0 - config.threshold(), "distance")
          .filter(col("datasetA.doc_id").lt(col("datasetB.doc_id"))).count();
      double seconds = (System.nanoTime() - start) / 1e9;
      Map<String, Object> figure = new LinkedHashMap<>();
      figure.put("docs", docs.size());
      figure.put("true_pairs", truth);
      figure.put("lora_dist_pairs", ours);
      figure.put("lora_dist_seconds", oursSeconds);
      figure.put("mllib_hash_tables", tables);
      figure.put("mllib_pairs", found);
      figure.put("mllib_seconds", seconds);
      figure.put("time_ratio_mllib_over_lora_dist", seconds / oursSeconds);
      emit("peer_mllib_minhashlsh", figure);
    }
    vectors.unpersist();
    input.unpersist();
  }

  static void debianTrain(SparkSession spark, String train, DedupConfig config) {
    UserDefinedFunction hash = functions.udf((UDF1<String, String>) ContentHash::of, DataTypes.StringType);
    Dataset<Row> docs = spark.read().json(train)
        .select(col("package").as("doc_id"), lit(train).as("source"), col("description").as("text"))
        .withColumn("content_hash", hash.apply(col("text")))
        .repartition(8)
        .cache();
    long n = docs.count();
    long start = System.nanoTime();
    DedupResult result = Deduplicator.run(docs, config);
    Dataset<Row> duplicates = result.duplicates().cache();
    Map<String, Long> byKind = new LinkedHashMap<>();
    for (Row row : duplicates.groupBy("kind").agg(count(lit(1))).collectAsList()) {
      byKind.put(row.getString(0), row.getLong(1));
    }
    long kept = result.kept().count();
    long groups = duplicates.agg(countDistinct("group_id")).first().getLong(0);
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> figure = new LinkedHashMap<>();
    figure.put("docs", n);
    figure.put("kept", kept);
    figure.put("exact_duplicates", byKind.getOrDefault("exact", 0L));
    figure.put("near_duplicates", byKind.getOrDefault("near", 0L));
    figure.put("groups_with_removals", groups);
    figure.put("seconds", seconds);
    figure.put("config", config.toString());
    emit("debian_train_dedup", figure);

    // Examples: near duplicates across the similarity range, with the words that differ.
    Dataset<Row> near = duplicates.filter(col("kind").equalTo("near"));
    List<Row> examples = new ArrayList<>();
    examples.addAll(near.orderBy(col("similarity"), col("doc_id")).limit(3).collectAsList());
    examples.addAll(near.filter(col("similarity").lt(0.95)).orderBy(col("similarity").desc(), col("doc_id"))
        .limit(3).collectAsList());
    examples.addAll(near.filter(col("similarity").geq(0.95)).orderBy(col("doc_id")).limit(2).collectAsList());
    for (Row example : examples) {
      String removed = example.getAs("doc_id");
      String keptId = example.getAs("duplicate_of");
      Map<String, String> text = new LinkedHashMap<>();
      for (Row row : docs.filter(col("doc_id").isin(removed, keptId)).select("doc_id", "text").collectAsList()) {
        text.put(row.getString(0), row.getString(1));
      }
      Map<String, Object> figure2 = new LinkedHashMap<>();
      figure2.put("removed", removed);
      figure2.put("duplicate_of", keptId);
      figure2.put("similarity", example.getAs("similarity"));
      figure2.put("only_in_removed", wordsOnlyIn(text.get(removed), text.get(keptId)));
      figure2.put("only_in_kept", wordsOnlyIn(text.get(keptId), text.get(removed)));
      emit("debian_train_near_example", figure2);
    }
    List<Row> exact = duplicates.filter(col("kind").equalTo("exact")).orderBy("doc_id").limit(3).collectAsList();
    for (Row example : exact) {
      emit("debian_train_exact_example", Map.of("removed", example.getAs("doc_id"),
          "duplicate_of", example.getAs("duplicate_of")));
    }
    duplicates.unpersist();
    docs.unpersist();
  }

  private static String wordsOnlyIn(String a, String b) {
    java.util.Set<String> other = new java.util.HashSet<>(Shingler.words(b));
    String diff = Shingler.words(a).stream().filter(w -> !other.contains(w)).distinct().collect(Collectors.joining(" "));
    return diff.length() > 160 ? diff.substring(0, 160) + "..." : diff;
  }

  private static void emit(String figure, Map<String, ?> values) {
    StringBuilder json = new StringBuilder("{\"figure\":\"").append(figure).append('"');
    for (Map.Entry<String, ?> entry : values.entrySet()) {
      json.append(",\"").append(entry.getKey()).append("\":");
      Object value = entry.getValue();
      if (value instanceof Number || value instanceof Boolean) {
        json.append(value);
      } else {
        json.append('"').append(String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"")
            .replace("\n", "\\n")).append('"');
      }
    }
    System.out.println(json.append('}'));
  }
}
