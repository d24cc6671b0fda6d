package org.loradist.pipelines.dedup.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.loradist.pipelines.dedup.DedupConfig;
import org.loradist.pipelines.dedup.DedupResult;
import org.loradist.pipelines.dedup.Deduplicator;
import org.loradist.pipelines.dedup.NearDuplicates;
import org.loradist.pipelines.dedup.Shingler;

/**
 * Runs {@link Deduplicator} and {@link NearDuplicates} on a generated corpus and scores them against the exact
 * answer. Evaluation code: it collects the (small) results on the driver, which the dedup code itself never does.
 */
public final class NearDupQuality {
  public static final StructType DOCS = new StructType()
      .add("doc_id", DataTypes.StringType, false)
      .add("source", DataTypes.StringType, false)
      .add("text", DataTypes.StringType, false)
      .add("content_hash", DataTypes.StringType, false);

  private NearDupQuality() {}

  /** Field {@code field} of every row of a JSON-lines file (gzip too), in file order. */
  public static List<String> readField(SparkSession spark, String path, String field) {
    List<String> texts = new ArrayList<>();
    for (Row row : spark.read().json(path).select(field).collectAsList()) {
      texts.add(row.getString(0));
    }
    return texts;
  }

  /** The corpus as a dedup input DataFrame (source = "generated"), in {@code partitions} partitions. */
  public static Dataset<Row> toDataFrame(SparkSession spark, List<GeneratedDoc> docs, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (GeneratedDoc doc : docs) {
      rows.add(RowFactory.create(doc.docId(), "generated", doc.text(), ContentHash.of(doc.text())));
    }
    return spark.createDataFrame(rows, DOCS).repartition(partitions);
  }

  public static QualityReport evaluate(SparkSession spark, List<GeneratedDoc> docs, DedupConfig config) {
    Map<String, Integer> indexOf = new HashMap<>();
    List<Set<String>> shingles = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      indexOf.put(docs.get(i).docId(), i);
      shingles.add(Shingler.shingles(docs.get(i).text(), config.shingleSize()));
    }
    List<SimilarPairs.Pair> truth = SimilarPairs.find(shingles, config.threshold());
    Set<Long> truthKeys = new HashSet<>();
    for (SimilarPairs.Pair pair : truth) {
      truthKeys.add(key(pair.a(), pair.b()));
    }

    Dataset<Row> input = toDataFrame(spark, docs, 4).cache();
    input.count();

    // Pair level: LSH + verification against every true pair.
    Dataset<Row> shingled = NearDuplicates.shingle(input, config).cache();
    Dataset<Row> candidates = NearDuplicates.candidatePairs(shingled, config).cache();
    long candidateCount = candidates.count();
    List<Row> verified = NearDuplicates.verify(candidates, shingled, config).select("doc_a", "doc_b").collectAsList();
    long verifiedTrue = verified.stream()
        .filter(r -> truthKeys.contains(key(indexOf.get(r.getString(0)), indexOf.get(r.getString(1))))).count();
    candidates.unpersist();
    shingled.unpersist();

    // Group level: the full run (exact + near), timed.
    long start = System.nanoTime();
    DedupResult result = Deduplicator.run(input, config);
    List<Row> removals = result.duplicates().select("doc_id", "duplicate_of", "similarity").collectAsList();
    double seconds = (System.nanoTime() - start) / 1e9;
    int[] group = new int[docs.size()];
    for (int i = 0; i < group.length; i++) {
      group[i] = i;
    }
    long belowThreshold = 0;
    for (Row removal : removals) {
      group[indexOf.get(removal.getString(0))] = indexOf.get(removal.getString(1));
      if (removal.getFloat(2) < config.threshold() - 1e-6) {
        belowThreshold++;
      }
    }
    int[] truthComponent = components(docs.size(), truth);
    int[] family = new int[docs.size()];
    for (int i = 0; i < family.length; i++) {
      family[i] = indexOf.get(docs.get(i).family());
    }

    long groupPairs = samePairs(group, null);
    long componentPairs = samePairs(truthComponent, null);
    long groupAndComponent = samePairs(group, truthComponent);
    long familyPairs = samePairs(family, null);
    long groupAndFamily = samePairs(group, family);
    long familyAbove = truth.stream().filter(p -> family[p.a()] == family[p.b()]).count();
    input.unpersist();

    return new QualityReport(docs.size(), truth.size(), familyPairs, familyAbove, candidateCount, verified.size(),
        ratio(verifiedTrue, verified.size()), ratio(verifiedTrue, truth.size()),
        ratio(groupAndComponent, groupPairs), ratio(groupAndComponent, componentPairs),
        ratio(groupAndFamily, groupPairs), ratio(groupAndFamily, familyPairs),
        removals.size(), belowThreshold, seconds);
  }

  /** Pairs i < j with a[i] == a[j] (and b[i] == b[j] when b is given), by counting cells, not enumerating. */
  static long samePairs(int[] a, int[] b) {
    Map<Long, Long> cells = new HashMap<>();
    for (int i = 0; i < a.length; i++) {
      cells.merge(b == null ? a[i] : ((long) a[i] << 32) | b[i], 1L, Long::sum);
    }
    long pairs = 0;
    for (long n : cells.values()) {
      pairs += n * (n - 1) / 2;
    }
    return pairs;
  }

  /** Union-find over the truth pairs: component root per document. */
  static int[] components(int n, List<SimilarPairs.Pair> pairs) {
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    for (SimilarPairs.Pair pair : pairs) {
      int ra = root(parent, pair.a());
      int rb = root(parent, pair.b());
      if (ra != rb) {
        parent[Math.max(ra, rb)] = Math.min(ra, rb);
      }
    }
    for (int i = 0; i < n; i++) {
      parent[i] = root(parent, i);
    }
    return parent;
  }

  private static int root(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static long key(int a, int b) {
    return ((long) Math.min(a, b) << 32) | Math.max(a, b);
  }

  private static double ratio(long numerator, long denominator) {
    return denominator == 0 ? 1.0 : (double) numerator / denominator;
  }
}
