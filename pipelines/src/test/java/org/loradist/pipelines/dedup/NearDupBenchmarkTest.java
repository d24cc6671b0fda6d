package org.loradist.pipelines.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loradist.pipelines.dedup.eval.GeneratedDoc;
import org.loradist.pipelines.dedup.eval.NearDupCorpusGenerator;
import org.loradist.pipelines.dedup.eval.NearDupQuality;
import org.loradist.pipelines.dedup.eval.QualityReport;
import org.loradist.pipelines.dedup.eval.SimilarPairs;

/**
 * Quality on a generated benchmark with known answers: real Debian descriptions (dev split, >= 40 words),
 * near-copies with 2-15% of their words edited, unrelated descriptions.
 */
class NearDupBenchmarkTest {
  static final Path DEV = Path.of("../../shared/data/debian-packages/dev.jsonl.gz");
  private static List<GeneratedDoc> corpus;
  private final SparkSession spark = SparkTestSession.get();

  @BeforeAll
  static void generate() {
    assertThat(DEV).as("the shared data beside the checkout").exists();
    List<String> texts = NearDupCorpusGenerator.distinctTexts(
        NearDupQuality.readField(SparkTestSession.get(), DEV.toString(), "description"), 40);
    corpus = NearDupCorpusGenerator.generate(texts, 800, 3, 600, 0.02, 0.15, 2024);
  }

  @Test
  void precisionAndRecallAtThresholdPointEight() {
    DedupConfig config = DedupConfig.defaults();
    QualityReport report = NearDupQuality.evaluate(spark, corpus, config);
    System.out.println("near-dup benchmark " + report.asMap());

    assertThat(report.docs()).isBetween(2500, 3500);
    assertThat(report.truthPairs()).as("enough true pairs to measure").isGreaterThan(300);
    assertThat(report.pairPrecision()).isGreaterThanOrEqualTo(0.99);
    assertThat(report.pairRecall()).isGreaterThanOrEqualTo(0.95);
    assertThat(report.groupPrecision()).isGreaterThanOrEqualTo(0.99);
    assertThat(report.groupRecall()).isGreaterThanOrEqualTo(0.95);
    // LSH prunes: far fewer candidates than all pairs.
    assertThat(report.candidatePairs()).isLessThan((long) report.docs() * report.docs() / 200);
  }

  @Test
  void keptAndDuplicatesPartitionTheInput() {
    Dataset<Row> input = NearDupQuality.toDataFrame(spark, corpus, 3);
    DeduplicatorTest.assertPartition(input, Deduplicator.run(input, DedupConfig.defaults()));
  }

  @Test
  void prefixFilteredGroundTruthEqualsBruteForce() {
    List<Set<String>> sets = new ArrayList<>();
    for (GeneratedDoc doc : corpus.subList(0, 700)) {
      sets.add(Shingler.shingles(doc.text(), 3));
    }
    for (double threshold : new double[] {0.5, 0.8}) {
      List<SimilarPairs.Pair> fast = SimilarPairs.find(sets, threshold);
      List<SimilarPairs.Pair> slow = SimilarPairs.bruteForce(sets, threshold);
      assertThat(fast).containsExactlyInAnyOrderElementsOf(slow);
      assertThat(slow).isNotEmpty();
    }
  }
}
