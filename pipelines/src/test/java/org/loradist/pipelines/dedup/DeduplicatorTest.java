package org.loradist.pipelines.dedup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.loradist.pipelines.Schemas;
import org.loradist.pipelines.dedup.eval.ContentHash;

class DeduplicatorTest {
  private static final String BASE = "The quick brown fox jumps over the lazy dog while the farmer sleeps in the "
      + "warm afternoon sun and the cows graze quietly on the green hills beyond the old stone wall near the river";
  private final SparkSession spark = SparkTestSession.get();

  @Test
  void removesExactAndNearDuplicatesAndKeepsTheSmallestIdOfEachGroup() {
    Dataset<Row> docs = docs(
        "a1", BASE,
        "a2", BASE.toUpperCase().replace(" ", "  \n"), // exact after normalising
        "b1", BASE.replace("lazy", "sleepy"), // near (one word of 39)
        "z9", "Completely unrelated text about compilers, linkers and the debugging of native libraries on Linux.",
        "e1", "",
        "e2", "  ");
    DedupResult result = Deduplicator.run(docs, DedupConfig.defaults());

    Map<String, Row> removed = byId(result.duplicates());
    assertThat(removed.keySet()).containsExactlyInAnyOrder("a2", "b1", "e2");
    assertThat(ids(result.kept())).containsExactlyInAnyOrder("a1", "z9", "e1");

    assertThat(removed.get("a2").getAs("duplicate_of").toString()).isEqualTo("a1");
    assertThat(removed.get("a2").<String>getAs("kind")).isEqualTo("exact");
    assertThat(removed.get("a2").<Float>getAs("similarity")).isEqualTo(1.0f);
    assertThat(removed.get("b1").<String>getAs("duplicate_of")).isEqualTo("a1");
    assertThat(removed.get("b1").<String>getAs("kind")).isEqualTo("near");
    double expected = Jaccard.of(Shingler.hashedShingles(BASE, 3, 42), Shingler.hashedShingles(
        BASE.replace("lazy", "sleepy"), 3, 42));
    assertThat((double) removed.get("b1").<Float>getAs("similarity")).isCloseTo(expected, within(1e-6));
    assertThat(expected).isBetween(0.8, 0.95);
    assertThat(removed.get("b1").<String>getAs("group_id")).isEqualTo(removed.get("a2").getAs("group_id"))
        .hasSize(32);
    // Whitespace-only texts share the content hash of "" (exact); they never take part in near dedup.
    assertThat(removed.get("e2").<String>getAs("duplicate_of")).isEqualTo("e1");
    assertThat(result.duplicates().schema()).isEqualTo(Schemas.DUPLICATES);
    assertThat(result.kept().schema()).isEqualTo(docs.schema());
    assertPartition(docs, result);
  }

  @Test
  void exactTwinOfANearDuplicatePointsAtTheKeptRepresentative() {
    String near = BASE.replace("farmer", "miller");
    Dataset<Row> docs = docs("m1", BASE, "m2", near, "m3", near.toLowerCase());
    DedupResult result = Deduplicator.run(docs, DedupConfig.defaults());
    Map<String, Row> removed = byId(result.duplicates());
    assertThat(ids(result.kept())).containsExactly("m1");
    // m3 is an exact copy of m2, but m2 itself goes: both point at m1, as near duplicates with the same similarity.
    assertThat(removed.get("m3").<String>getAs("duplicate_of")).isEqualTo("m1");
    assertThat(removed.get("m3").<String>getAs("kind")).isEqualTo("near");
    assertThat(removed.get("m3").<Float>getAs("similarity")).isEqualTo(removed.get("m2").<Float>getAs("similarity"));
    assertPartition(docs, result);
  }

  @Test
  void groupsAreTransitiveAndSimilarityIsToTheRepresentative() {
    // A chain of edits: each step is >= 0.8 similar to the previous, the ends are not to each other.
    List<String> chain = new ArrayList<>();
    String[] words = BASE.split(" ");
    chain.add(BASE);
    for (int step = 1; step <= 4; step++) {
      words[step * 8] = "changed" + step;
      chain.add(String.join(" ", words));
    }
    Object[] pairs = new Object[chain.size() * 2];
    for (int i = 0; i < chain.size(); i++) {
      pairs[2 * i] = "c" + i;
      pairs[2 * i + 1] = chain.get(i);
    }
    Dataset<Row> docs = docs(pairs);
    DedupConfig config = DedupConfig.defaults();
    double endToEnd = Jaccard.of(Shingler.hashedShingles(chain.get(0), 3, 42),
        Shingler.hashedShingles(chain.get(4), 3, 42));
    assertThat(endToEnd).isLessThan(config.threshold());

    DedupResult result = Deduplicator.run(docs, config);
    Map<String, Row> removed = byId(result.duplicates());
    assertThat(ids(result.kept())).containsExactly("c0");
    assertThat(removed).hasSize(4);
    assertThat((double) removed.get("c4").<Float>getAs("similarity")).isCloseTo(endToEnd, within(1e-6));
    assertThat(removed.values().stream().map(r -> r.<String>getAs("group_id")).distinct()).hasSize(1);
  }

  @Test
  void switchesTurnStagesOff() {
    Dataset<Row> docs = docs("a1", BASE, "a2", BASE.toLowerCase(), "b1", BASE.replace("lazy", "sleepy"));
    DedupResult exactOnly = Deduplicator.run(docs, DedupConfig.defaults().withNear(false));
    assertThat(byId(exactOnly.duplicates()).keySet()).containsExactly("a2");
    DedupResult nearOnly = Deduplicator.run(docs, DedupConfig.defaults().withExact(false));
    // Without the exact stage a2 is found as a near duplicate with Jaccard 1.
    Map<String, Row> removed = byId(nearOnly.duplicates());
    assertThat(removed.keySet()).containsExactlyInAnyOrder("a2", "b1");
    assertThat(removed.get("a2").<Float>getAs("similarity")).isEqualTo(1.0f);
    assertThat(removed.get("a2").<String>getAs("kind")).isEqualTo("near");
    DedupResult none = Deduplicator.run(docs, DedupConfig.defaults().withExact(false).withNear(false));
    assertThat(none.duplicates().count()).isZero();
    assertThat(none.kept().count()).isEqualTo(3);
  }

  @Test
  void sameResultWhateverThePartitioning() {
    List<Object> pairs = new ArrayList<>();
    String[] words = BASE.split(" ");
    for (int i = 0; i < 40; i++) {
      String[] copy = words.clone();
      copy[i % words.length] = "w" + (i % 7);
      pairs.add("d" + (i * 7919 % 40));
      pairs.add(String.join(" ", copy));
    }
    Dataset<Row> docs = docs(pairs.toArray());
    Set<String> first = rows(Deduplicator.run(docs.repartition(1), DedupConfig.defaults()).duplicates());
    Set<String> second = rows(Deduplicator.run(docs.repartition(7), DedupConfig.defaults()).duplicates());
    assertThat(first).isEqualTo(second).isNotEmpty();
  }

  @Test
  void sameDuplicatesRowsWhicheverWayTheGroupsAreFound() {
    // Real near-duplicates (Debian siblings): candidates found in one task or by distributed windows and joins, the
    // local union-find or the distributed rounds, broadcast or shuffled joins: the same kept documents and the same
    // duplicates rows (duplicate_of, group_id, kind, similarity).
    Dataset<Row> packages = spark.read().json("../../shared/data/debian-packages/dev.jsonl.gz").limit(2000)
        .select(col("package").as("doc_id"), lit("dev").as("source"), col("description").as("text"));
    UserDefinedFunction hash = functions.udf((UDF1<String, String>) ContentHash::of, DataTypes.StringType);
    Dataset<Row> docs = packages.withColumn("content_hash", hash.apply(col("text"))).localCheckpoint();
    DedupResult local = Deduplicator.run(docs, DedupConfig.defaults());
    DedupResult distributed = Deduplicator.run(docs,
        DedupConfig.defaults().withLocalComponentsMaxEdges(0).withBroadcastMaxRows(0).withLocalCandidatesMaxDocs(0));
    Set<String> duplicates = rows(local.duplicates());
    assertThat(rows(distributed.duplicates())).isEqualTo(duplicates);
    assertThat(ids(distributed.kept())).containsExactlyInAnyOrderElementsOf(ids(local.kept()));
    assertThat(local.kept().queryExecution().analyzed().toString()).contains("strategy=broadcast");
    assertThat(distributed.kept().queryExecution().analyzed().toString()).doesNotContain("broadcast");
    assertThat(local.duplicates().filter(col("kind").equalTo("near")).count()).isGreaterThan(50);
    assertThat(local.duplicates().filter(col("kind").equalTo("exact")).count()).isGreaterThan(5);
    assertPartition(docs, local);
  }

  @Test
  void oversizedBucketsGiveStarPairsAndStillOneGroup() {
    DedupConfig capped = DedupConfig.defaults().withMaxBucketSize(10).withExact(false);
    // 60 texts with the same words (only punctuation differs): every band bucket holds all 60.
    List<Object> same = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      same.add(String.format("s%02d", i));
      same.add(BASE + "!".repeat(i));
    }
    Dataset<Row> sameWords = NearDuplicates.shingle(docs(same.toArray()), capped);
    List<Row> stars = NearDuplicates.candidatePairs(sameWords, capped).collectAsList();
    // Only (s00, member): 59 pairs instead of 60 * 59 / 2 = 1770.
    assertThat(stars).hasSize(59).allMatch(r -> r.getString(0).equals("s00"));
    assertThat(NearDuplicates.candidatePairs(sameWords, capped.withMaxBucketSize(100)).count()).isEqualTo(1770);

    // Boilerplate with a different package name each: buckets of varying size, all capped ones become stars.
    List<Object> boilerplate = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      boilerplate.add(String.format("p%02d", i));
      boilerplate.add(BASE + " package" + i);
    }
    Dataset<Row> docs = docs(boilerplate.toArray());
    long candidates = NearDuplicates.candidatePairs(NearDuplicates.shingle(docs, capped), capped).count();
    assertThat(candidates).isLessThan(1770 / 4);
    DedupResult result = Deduplicator.run(docs, capped);
    assertThat(ids(result.kept())).containsExactly("p00");
    assertPartition(docs, result);
    // Candidates found in one task: the same stars, the same result.
    DedupResult distributed = Deduplicator.run(docs, capped.withLocalCandidatesMaxDocs(0));
    assertThat(rows(distributed.duplicates())).isEqualTo(rows(result.duplicates()));
  }

  @Test
  void oneTaskCandidatesOrderIdsAsSparkDoes() {
    // U+FFFF sorts after U+10000 in Java's UTF-16 order but before it in Spark's (UTF-8 bytes): the smallest id,
    // which stays, must be the one Spark's min picks.
    String bmp = "\uFFFF";
    String supplementary = new String(Character.toChars(0x10000));
    Dataset<Row> twins = docs(supplementary, BASE, bmp, BASE);
    String sparkMin = twins.agg(functions.min("doc_id")).first().getString(0);
    assertThat(sparkMin).isEqualTo(bmp);
    DedupResult result = Deduplicator.run(twins, DedupConfig.defaults());
    assertThat(ids(result.kept())).containsExactly(bmp);
    assertThat(rows(Deduplicator.run(twins, DedupConfig.defaults().withLocalCandidatesMaxDocs(0)).duplicates()))
        .isEqualTo(rows(result.duplicates()));
    // The same as near-duplicates, grouped by union-find in one task and by distributed rounds.
    Dataset<Row> near = docs(supplementary, BASE, bmp, BASE + " again");
    for (DedupConfig config : List.of(DedupConfig.defaults().withLocalComponentsMaxEdges(0).withLocalCandidatesMaxDocs(0), DedupConfig.defaults(), DedupConfig.defaults().withLocalComponentsMaxEdges(0))) {
      DedupResult grouped = Deduplicator.run(near, config);
      assertThat(ids(grouped.kept())).containsExactly(bmp);
      assertThat(grouped.duplicates().first().<String>getAs("kind")).isEqualTo("near");
    }
  }

  @Test
  void refusesBadInputNamingTheProblem() {
    Dataset<Row> duplicated = docs("x", BASE, "x", "other text here");
    assertThatThrownBy(() -> Deduplicator.run(duplicated, DedupConfig.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("doc_id 'x' 2 times");

    Dataset<Row> noHash = docs("x", BASE).drop("content_hash");
    assertThatThrownBy(() -> Deduplicator.run(noHash, DedupConfig.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[content_hash]");

    StructType nullable = new StructType().add("doc_id", DataTypes.StringType).add("source", DataTypes.StringType)
        .add("text", DataTypes.StringType).add("content_hash", DataTypes.StringType);
    Dataset<Row> nullHash = spark.createDataFrame(List.of(RowFactory.create("y", "s", BASE, null)), nullable);
    assertThatThrownBy(() -> Deduplicator.run(nullHash, DedupConfig.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("doc_id 'y' has a null content_hash");
    // Without the exact stage the hash is not needed.
    assertThat(Deduplicator.run(nullHash, DedupConfig.defaults().withExact(false)).kept().count()).isEqualTo(1);
  }

  @Test
  void configRefusesBadValuesAndItsDefaultsMeetTheRecallGoal() {
    assertThatThrownBy(() -> DedupConfig.defaults().withThreshold(1.5))
        .hasMessage("dedup.threshold = 1.5 is invalid; allowed: a number in (0, 1]");
    assertThatThrownBy(() -> DedupConfig.defaults().withBanding(0, 5)).hasMessageContaining("dedup.bands = 0");
    DedupConfig config = DedupConfig.defaults();
    assertThat(config.numHashes()).isEqualTo(120);
    assertThat(config.candidateProbability(0.8)).isGreaterThan(0.99);
    assertThat(config.candidateProbability(0.3)).isLessThan(0.02);
  }

  static void assertPartition(Dataset<Row> input, DedupResult result) {
    List<String> kept = ids(result.kept());
    List<String> removed = ids(result.duplicates());
    Set<String> all = new HashSet<>(kept);
    all.addAll(removed);
    assertThat(kept.size() + removed.size()).as("kept + duplicates = input").isEqualTo(input.count());
    assertThat(all).as("no overlap, nothing lost").hasSize((int) input.count())
        .isEqualTo(new HashSet<>(ids(input)));
    Set<String> keptIds = new HashSet<>(kept);
    for (Row row : result.duplicates().collectAsList()) {
      assertThat(keptIds).as("duplicate_of is kept").contains(row.<String>getAs("duplicate_of"));
    }
  }

  private Dataset<Row> docs(Object... idAndText) {
    StructType schema = new StructType().add("doc_id", DataTypes.StringType, false)
        .add("source", DataTypes.StringType, false).add("text", DataTypes.StringType, false)
        .add("content_hash", DataTypes.StringType, false);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < idAndText.length; i += 2) {
      String text = (String) idAndText[i + 1];
      rows.add(RowFactory.create(idAndText[i], "test", text, ContentHash.of(text)));
    }
    return spark.createDataFrame(rows, schema);
  }

  private static List<String> ids(Dataset<Row> data) {
    return data.select("doc_id").collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toList());
  }

  private static Map<String, Row> byId(Dataset<Row> duplicates) {
    Map<String, Row> map = new TreeMap<>();
    for (Row row : duplicates.collectAsList()) {
      map.put(row.getAs("doc_id"), row);
    }
    return map;
  }

  private static Set<String> rows(Dataset<Row> data) {
    return data.collectAsList().stream().map(Row::toString).collect(Collectors.toSet());
  }

  private static org.assertj.core.data.Offset<Double> within(double value) {
    return org.assertj.core.data.Offset.offset(value);
  }
}
