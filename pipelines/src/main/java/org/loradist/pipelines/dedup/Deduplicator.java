package org.loradist.pipelines.dedup;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.loradist.pipelines.Schemas;

/**
 * Exact and near-duplicate removal on a DataFrame of documents.
 *
 * <ol>
 *   <li>Exact: documents sharing a {@code content_hash} form a group; its smallest doc_id stays.</li>
 *   <li>Near (on the survivors of 1): verified near-duplicate pairs ({@link NearDuplicates}: MinHash LSH banding,
 *       exact shingle-Jaccard >= threshold) are the edges of a graph; its connected components
 *       ({@link ConnectedComponents}: one executor task for a small edge list, distributed rounds above
 *       {@link DedupConfig#localComponentsMaxEdges}) are the groups; each group's smallest doc_id stays.</li>
 * </ol>
 *
 * <p>Representative: the smallest doc_id (String order) of the final group. Chosen because it is deterministic,
 * independent of partitioning and input order, and falls out of the min-label components for free.
 *
 * <p>Each removed document's row in {@code duplicates}: {@code duplicate_of} = the kept representative of its
 * final group (always a doc in {@code kept}, even when its exact twin was itself removed as a near-duplicate);
 * {@code group_id} = first 32 hex digits of SHA-256(representative doc_id), shared by every removed member of the
 * group; {@code kind} = "exact" when its content_hash equals the representative's, else "near";
 * {@code similarity} = shingle-Jaccard between the document and {@code duplicate_of} (1.0 for "exact"). A "near"
 * similarity can be below the threshold: groups are transitive (A~B and B~C put C with A even when A, C differ
 * more); every document of a group is linked to it by a chain of verified pairs each >= threshold.
 *
 * <p>What moves: the text is read where it lies, three times (band keys; the shingles of the few documents in
 * candidate pairs; the returned Datasets), and never shuffled. Shuffles carry ids, content hashes and band keys;
 * the small sides of joins (removals, candidate documents) are broadcast up to
 * {@link DedupConfig#broadcastMaxRows}, so the documents' side of those joins is not shuffled either. Up to
 * {@link DedupConfig#localCandidatesMaxDocs} documents, the exact representatives and the candidate pairs are found
 * in one task ({@link LocalCandidates}) rather than by windows and joins: the same rows, a dozen Spark stages fewer.
 *
 * <p>{@link #run} executes the dedup jobs eagerly and checkpoints the small table of removals; the returned
 * Datasets derive from it and from {@code docs} lazily (cache {@code docs} if it is costly to recompute).
 */
public final class Deduplicator {
  public static final List<String> REQUIRED_COLUMNS = List.of("doc_id", "source", "text", "content_hash");

  private Deduplicator() {}

  public static DedupResult run(Dataset<Row> docs, DedupConfig config) {
    validate(docs, config);
    // The LSH band keys are computed where the text lies, beside the ids and hashes: from here on, b longs per
    // document travel, never the text or its shingles.
    Dataset<Row> sketch = config.near()
        ? docs.select(col("doc_id"), col("content_hash"),
            NearDuplicates.textBandKeys(col("text"), config).as("band_keys"))
        : docs.select(col("doc_id"), col("content_hash"));
    Dataset<Row> exactRemoved; // doc_id, exact_rep
    Dataset<Row> nearRemoved = null; // exact_rep, near_rep, similarity
    if (config.near()) {
      // The band keys are computed once, in parallel, and counted to choose the plan.
      Counted sketched = Counted.checkpoint(sketch, "dedup sketch");
      NearDuplicates.Candidates candidates;
      if (sketched.rows() <= config.localCandidatesMaxDocs()) {
        Dataset<Row> found = ConnectedComponents.checkpoint(LocalCandidates.find(sketched.data(), config));
        exactRemoved = found.filter(col("kind").equalTo("exact")).select(col("a").as("doc_id"),
            col("b").as("exact_rep"));
        candidates = new NearDuplicates.Candidates(
            found.filter(col("kind").equalTo("pair")).select(col("a").as("doc_a"), col("b").as("doc_b")),
            found.filter(col("kind").equalTo("member")).select(col("a").as("doc_id")));
      } else {
        // Read twice (exact removals, the representatives' bands): materialised once.
        Dataset<Row> withRep = ConnectedComponents.checkpoint(exactRep(sketched.data(), config)
            .select("doc_id", "exact_rep", "band_keys"));
        exactRemoved = withRep.filter(col("doc_id").notEqual(col("exact_rep"))).select("doc_id", "exact_rep");
        candidates = NearDuplicates.candidatesOfBands(
            withRep.filter(col("doc_id").equalTo(col("exact_rep"))).select("doc_id", "band_keys"), config);
      }
      nearRemoved = nearRemoved(docs, candidates, config);
    } else {
      exactRemoved = exactRep(sketch, config).filter(col("doc_id").notEqual(col("exact_rep")))
          .select("doc_id", "exact_rep");
    }

    // A removed document points at the kept representative of its final group: an exact twin of a near-removed
    // document follows it to its near representative.
    Dataset<Row> assigned = nearRemoved == null
        ? exactRemoved.withColumn("representative", col("exact_rep"))
            .withColumn("near_similarity", lit(null).cast("double"))
        : exactRemoved.unionByName(nearRemoved.select(col("exact_rep").as("doc_id"), col("exact_rep")))
            .join(nearRemoved.select(col("exact_rep"), col("near_rep"), col("similarity").as("near_similarity")),
                NearDuplicates.seq("exact_rep"), "left")
            .withColumn("representative", coalesce(col("near_rep"), col("exact_rep")));
    Counted removals = Counted.checkpoint(assigned
        .filter(col("doc_id").notEqual(col("representative")))
        .select(
            col("doc_id"),
            col("representative").as("duplicate_of"),
            substring(sha2(col("representative"), 256), 1, 32).as("group_id"),
            when(col("representative").equalTo(col("exact_rep")), lit("exact")).otherwise(lit("near")).as("kind"),
            when(col("representative").equalTo(col("exact_rep")), lit(1.0))
                .otherwise(col("near_similarity")).cast("float").as("similarity")), "dedup removal");

    Dataset<Row> removed = small(removals, config);
    Dataset<Row> kept = docs.join(removed.select("doc_id"), NearDuplicates.seq("doc_id"), "left_anti");
    Dataset<Row> duplicatesRows = docs.select("doc_id", "source").join(removed, "doc_id")
        .select(Arrays.stream(Schemas.DUPLICATES.fieldNames()).map(name -> col(name)).toArray(Column[]::new));
    // Re-apply the contract schema (non-null flags): every column is set for every removed document.
    Dataset<Row> duplicates = docs.sparkSession().createDataFrame(duplicatesRows.javaRDD(), Schemas.DUPLICATES);
    return new DedupResult(kept, duplicates);
  }

  /**
   * Near stage on the candidates among the exact representatives: exact_rep -> near_rep and its similarity, for the
   * representatives that are removed. Verified pairs are the edges of a graph whose connected
   * components are the groups. Only the documents of candidate pairs are shingled again, from their text, for the
   * exact Jaccard: they are few, and the rest never needs its shingles after banding.
   */
  private static Dataset<Row> nearRemoved(Dataset<Row> docs, NearDuplicates.Candidates candidates,
      DedupConfig config) {
    Counted involved = Counted.checkpoint(candidates.documents(), "dedup candidate document");
    Dataset<Row> shingled = ConnectedComponents.checkpoint(
        docs.join(small(involved, config), NearDuplicates.seq("doc_id"), "left_semi")
            .select(col("doc_id"), NearDuplicates.shingles(col("text"), config).as("shingles")));
    Dataset<Row> edges = NearDuplicates.verify(candidates.pairs(), shingled, config)
        .select(col("doc_a").as("src"), col("doc_b").as("dst"));
    Dataset<Row> components = ConnectedComponents.compute(edges, config.localComponentsMaxEdges()).components()
        .filter(col("vertex").notEqual(col("component")))
        .select(col("vertex").as("exact_rep"), col("component").as("near_rep"));
    return NearDuplicates.withSimilarity(components, "exact_rep", "near_rep", shingled);
  }

  /**
   * Adds exact_rep: the smallest doc_id with the row's content_hash (one window, a shuffle of these small rows), or
   * the row's own doc_id when exact dedup is off.
   */
  private static Dataset<Row> exactRep(Dataset<Row> sketch, DedupConfig config) {
    return config.exact()
        ? sketch.withColumn("exact_rep", min("doc_id").over(Window.partitionBy("content_hash")))
        : sketch.withColumn("exact_rep", col("doc_id"));
  }

  /** The rows, marked for broadcast when there are few enough: the documents' side of a join then stays put. */
  private static Dataset<Row> small(Counted counted, DedupConfig config) {
    return counted.rows() <= config.broadcastMaxRows() ? broadcast(counted.data()) : counted.data();
  }

  /**
   * Refuses input that would make the result wrong: missing columns, null or repeated doc_id, null content_hash
   * (when exact dedup is on). One small aggregate; names the first offending doc_id.
   */
  static void validate(Dataset<Row> docs, DedupConfig config) {
    List<String> present = Arrays.asList(docs.columns());
    List<String> missing = new ArrayList<>();
    for (String required : REQUIRED_COLUMNS) {
      if (!present.contains(required)) {
        missing.add(required);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("dedup input lacks column(s) " + missing + "; it has " + present);
    }
    List<Row> bad = docs.groupBy("doc_id")
        .agg(count(lit(1)).as("n"), sum(when(col("content_hash").isNull(), 1).otherwise(0)).as("null_hashes"))
        .filter(col("doc_id").isNull().or(col("n").gt(1))
            .or(lit(config.exact()).and(col("null_hashes").gt(0))))
        .limit(1)
        .collectAsList();
    if (!bad.isEmpty()) {
      Row row = bad.get(0);
      if (row.isNullAt(0)) {
        throw new IllegalArgumentException("dedup input has " + row.getLong(1) + " row(s) with a null doc_id");
      }
      if (row.getLong(1) > 1) {
        throw new IllegalArgumentException(
            "dedup input has doc_id '" + row.getString(0) + "' " + row.getLong(1) + " times; doc_id must be unique");
      }
      throw new IllegalArgumentException("dedup input row doc_id '" + row.getString(0) + "' has a null content_hash");
    }
  }
}
