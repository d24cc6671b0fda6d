package org.loradist.pipelines.dedup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import java.nio.ByteBuffer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Near-duplicate pairs on DataFrames: word-shingle hashes per document, b x r MinHash banding, candidate pairs
 * from band collisions, each verified by the exact Jaccard of the two shingle sets. Nothing is collected on the
 * driver; every step is a Spark join or aggregation.
 */
public final class NearDuplicates {
  private NearDuplicates() {}

  /**
   * {@code doc_id}, {@code shingles} (binary: the sorted distinct 64-bit shingle hashes, 8 bytes each, big-endian).
   * Documents without words are left out: they cannot be near-duplicates.
   */
  public static Dataset<Row> shingle(Dataset<Row> docs, DedupConfig config) {
    return withoutEmpty(docs.select(col("doc_id"), shingles(col("text"), config).as("shingles")));
  }

  /** The shingle hashes of a text column, as {@link #shingle} stores them (empty for a text without words). */
  static Column shingles(Column text, DedupConfig config) {
    int k = config.shingleSize();
    long seed = config.seed();
    UserDefinedFunction shingles = functions.udf(
        (UDF1<String, byte[]>) t -> toBytes(Shingler.hashedShingles(t, k, seed)), DataTypes.BinaryType);
    return shingles.apply(text);
  }

  /** Rows whose {@code shingles} are not empty: documents without words cannot be near-duplicates. */
  static Dataset<Row> withoutEmpty(Dataset<Row> shingled) {
    return shingled.filter(length(col("shingles")).gt(0));
  }

  /**
   * Distinct candidate pairs {@code doc_a < doc_b} that share at least one LSH band.
   *
   * <p>Bucket explosion guard: a bucket (band, key) with n members would give n(n-1)/2 pairs; boilerplate shared
   * by thousands of documents ("This package contains the debugging symbols for ...") would make that quadratic.
   * A bucket with more than {@code maxBucketSize} members gives only the n-1 pairs (smallest doc_id, member).
   * Members similar to each other but not to that anchor lose this bucket's pairs; they are still found through
   * the other b-1 bands and, in the grouping, through the anchor by transitivity. The cost per bucket is therefore
   * at most max(maxBucketSize^2 / 2, n) pairs.
   */
  public static Dataset<Row> candidatePairs(Dataset<Row> shingled, DedupConfig config) {
    return candidatesOfBands(shingled.select(col("doc_id"), bandKeys(col("shingles"), config).as("band_keys")),
        config).pairs();
  }

  /** Candidate pairs, and the documents that are in at least one of them (each once). */
  record Candidates(Dataset<Row> pairs, Dataset<Row> documents) {}

  /** The LSH band keys (array of b longs, see {@link MinHasher#bandKeys}) of a shingles column; none when empty. */
  static Column bandKeys(Column shingles, DedupConfig config) {
    MinHasher hasher = new MinHasher(config.bands(), config.rows(), config.seed());
    UserDefinedFunction bandKeys = functions.udf(
        (UDF1<byte[], long[]>) bytes -> hasher.bandKeysOf(fromBytes(bytes)),
        DataTypes.createArrayType(DataTypes.LongType, false));
    return bandKeys.apply(shingles);
  }

  /**
   * The band keys of a text column, shingled and hashed in one step (no shingle bytes in between); none for a text
   * without words, which cannot be a near-duplicate.
   */
  static Column textBandKeys(Column text, DedupConfig config) {
    int k = config.shingleSize();
    long seed = config.seed();
    MinHasher hasher = new MinHasher(config.bands(), config.rows(), config.seed());
    UserDefinedFunction bandKeys = functions.udf(
        (UDF1<String, long[]>) t -> hasher.bandKeysOf(Shingler.hashedShingles(t, k, seed)),
        DataTypes.createArrayType(DataTypes.LongType, false));
    return bandKeys.apply(text);
  }

  /** {@link #candidatePairs} from rows {@code doc_id}, {@code band_keys} (documents with words only). */
  static Candidates candidatesOfBands(Dataset<Row> banded, DedupConfig config) {
    // The bucket sizes and anchors come from a window over the bucket (a band key, which names its band too): one
    // shuffle, radix-sorted on that one long; the members of colliding buckets are kept (checkpointed: they are read
    // three times below and are few).
    WindowSpec bucket = Window.partitionBy("bucket");
    Dataset<Row> members = ConnectedComponents.checkpoint(banded
        .select(col("doc_id"), explode(col("band_keys")).as("bucket"))
        .select(col("bucket"), col("doc_id"), count(lit(1)).over(bucket).as("n"),
            min("doc_id").over(bucket).as("anchor"))
        .filter(col("n").gt(1)));

    Dataset<Row> small = members.filter(col("n").leq(config.maxBucketSize()));
    Dataset<Row> smallPairs = small.select(col("bucket"), col("doc_id").as("doc_a"))
        .join(small.select(col("bucket"), col("doc_id").as("doc_b")), "bucket")
        .filter(col("doc_a").lt(col("doc_b")))
        .select("doc_a", "doc_b");
    Dataset<Row> starPairs = members
        .filter(col("n").gt(config.maxBucketSize()).and(col("doc_id").notEqual(col("anchor"))))
        .select(col("anchor").as("doc_a"), col("doc_id").as("doc_b"));
    // Every member of a colliding bucket is in a pair: with all others (small bucket) or with its anchor (star).
    return new Candidates(smallPairs.union(starPairs).distinct(), members.select("doc_id").distinct());
  }

  /** Adds {@code similarity} (double, exact shingle Jaccard) to pairs and keeps those at or above the threshold. */
  public static Dataset<Row> verify(Dataset<Row> candidates, Dataset<Row> shingled, DedupConfig config) {
    return withSimilarity(candidates, "doc_a", "doc_b", shingled)
        .filter(col("similarity").geq(config.threshold()));
  }

  /** Verified near-duplicate pairs of {@code docs} (needs doc_id, text): doc_a < doc_b, similarity. */
  public static Dataset<Row> pairs(Dataset<Row> docs, DedupConfig config) {
    Dataset<Row> shingled = shingle(docs, config);
    return verify(candidatePairs(shingled, config), shingled, config);
  }

  /** {@code pairs} plus column {@code similarity}: Jaccard of the shingle sets of columns {@code left}, {@code right}. */
  static Dataset<Row> withSimilarity(Dataset<Row> pairs, String left, String right, Dataset<Row> shingled) {
    Dataset<Row> leftSets = shingled.select(col("doc_id").as(left), col("shingles").as("left_shingles"));
    Dataset<Row> rightSets = shingled.select(col("doc_id").as(right), col("shingles").as("right_shingles"));
    return pairs.join(leftSets, left).join(rightSets, right)
        .withColumn("similarity", jaccard(col("left_shingles"), col("right_shingles")))
        .drop("left_shingles", "right_shingles");
  }

  private static Column jaccard(Column left, Column right) {
    UserDefinedFunction udf = functions.udf(
        (UDF2<byte[], byte[], Double>) (a, b) -> Jaccard.of(fromBytes(a), fromBytes(b)), DataTypes.DoubleType);
    return udf.apply(left, right);
  }

  static byte[] toBytes(long[] values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * Long.BYTES);
    for (long v : values) {
      buffer.putLong(v);
    }
    return buffer.array();
  }

  static long[] fromBytes(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    long[] values = new long[bytes.length / Long.BYTES];
    for (int i = 0; i < values.length; i++) {
      values[i] = buffer.getLong();
    }
    return values;
  }

  static scala.collection.Seq<String> seq(String... names) {
    return scala.collection.JavaConverters.asScalaBuffer(java.util.List.of(names)).toSeq();
  }
}
