package org.loradist.pipelines.dedup;

import java.io.Serializable;

/**
 * Settings of {@link Deduplicator}.
 *
 * <p>Defaults: word 3-shingles, 20 bands x 6 rows (120 MinHash values), Jaccard threshold 0.8.
 * Why 20 x 6: a pair with Jaccard s shares one band (becomes a candidate) with probability
 * P(s) = 1 - (1 - s^r)^b. For b=20, r=6:
 * <pre>
 *   s    0.3    0.5    0.6    0.7    0.75   0.8    0.85   0.9
 *   P    0.015  0.270  0.615  0.918  0.980  0.998  1.000  1.000
 * </pre>
 * so at the threshold 0.8 a true pair is missed with probability 0.0023 (recall goal >= 0.95 with margin),
 * while pairs at 0.3 rarely become candidates. Candidates are verified by exact Jaccard, so the false
 * positives of the S-curve cost only verification work, not precision. Alternatives looked at:
 * datatrove's 14 x 8 gives P(0.8) = 0.92 (too low for the recall goal); 16 x 7 gives 0.977 with fewer
 * candidates at 0.5 (0.12) but less margin; 20 x 5 gives 0.9996 but P(0.5) = 0.47, twice the verify work.
 *
 * <p>Why 3-word shingles: see {@link Shingler}; measured per size in bench's NearDupBench.
 *
 * @param exact         remove documents whose {@code content_hash} equals another's
 * @param near          remove near-duplicates (MinHash LSH + verified Jaccard + connected components)
 * @param shingleSize   words per shingle (k); documents shorter than k words form one shingle
 * @param bands         LSH bands (b)
 * @param rows          MinHash values per band (r); b * r hash functions in all
 * @param threshold     a candidate pair is a near-duplicate when its shingle-set Jaccard is >= this
 * @param seed          seed of the MinHash functions and shingle hashing; same seed, same result
 * @param maxBucketSize an LSH bucket with more members than this (boilerplate shared by many documents) yields
 *                      only the pairs (smallest doc_id, member) instead of all n(n-1)/2 pairs
 * @param localComponentsMaxEdges up to this many verified near-duplicate edges, their connected components are
 *                      found by union-find in one Spark task; above it by distributed rounds (same result; see
 *                      {@link ConnectedComponents} for why and the memory it takes)
 * @param broadcastMaxRows up to this many rows, a small side of the dedup's joins (the removed documents, the
 *                      documents of candidate pairs) is broadcast, so the documents' side is read where it lies
 *                      instead of being shuffled; above it both sides are shuffled (same result)
 * @param localCandidatesMaxDocs up to this many documents, the exact representatives and the LSH candidate pairs
 *                      are found in one Spark task ({@link LocalCandidates}); above it by distributed windows and
 *                      joins (same result)
 */
public record DedupConfig(
    boolean exact,
    boolean near,
    int shingleSize,
    int bands,
    int rows,
    double threshold,
    long seed,
    int maxBucketSize,
    long localComponentsMaxEdges,
    long broadcastMaxRows,
    long localCandidatesMaxDocs) implements Serializable {

  public static final int DEFAULT_SHINGLE_SIZE = 3;
  public static final int DEFAULT_BANDS = 20;
  public static final int DEFAULT_ROWS = 6;
  public static final double DEFAULT_THRESHOLD = 0.8;
  public static final long DEFAULT_SEED = 42L;
  public static final int DEFAULT_MAX_BUCKET_SIZE = 100;
  /** About 100 MB of ids on the driver while a broadcast is built. */
  public static final long DEFAULT_BROADCAST_MAX_ROWS = 1_000_000L;
  /** About 125 MB of one executor's heap with 20 bands (see {@link LocalCandidates}). */
  public static final long DEFAULT_LOCAL_CANDIDATES_MAX_DOCS = 250_000L;

  public DedupConfig {
    require(shingleSize >= 1 && shingleSize <= 32, "shingleSize", shingleSize, "1..32");
    require(bands >= 1 && bands <= 1024, "bands", bands, "1..1024");
    require(rows >= 1 && rows <= 64, "rows", rows, "1..64");
    require(threshold > 0.0 && threshold <= 1.0, "threshold", threshold, "a number in (0, 1]");
    require(maxBucketSize >= 2, "maxBucketSize", maxBucketSize, ">= 2");
    require(localComponentsMaxEdges >= 0, "localComponentsMaxEdges", localComponentsMaxEdges, ">= 0");
    require(broadcastMaxRows >= 0, "broadcastMaxRows", broadcastMaxRows, ">= 0");
    require(localCandidatesMaxDocs >= 0, "localCandidatesMaxDocs", localCandidatesMaxDocs, ">= 0");
  }

  public static DedupConfig defaults() {
    return new DedupConfig(true, true, DEFAULT_SHINGLE_SIZE, DEFAULT_BANDS, DEFAULT_ROWS, DEFAULT_THRESHOLD,
        DEFAULT_SEED, DEFAULT_MAX_BUCKET_SIZE, ConnectedComponents.DEFAULT_LOCAL_MAX_EDGES,
        DEFAULT_BROADCAST_MAX_ROWS, DEFAULT_LOCAL_CANDIDATES_MAX_DOCS);
  }

  public int numHashes() {
    return bands * rows;
  }

  /** Probability that a pair with Jaccard {@code s} shares at least one band: 1 - (1 - s^r)^b. */
  public double candidateProbability(double s) {
    return 1.0 - Math.pow(1.0 - Math.pow(s, rows), bands);
  }

  public DedupConfig withExact(boolean value) {
    return new DedupConfig(value, near, shingleSize, bands, rows, threshold, seed, maxBucketSize,
        localComponentsMaxEdges, broadcastMaxRows,
        localCandidatesMaxDocs);
  }

  public DedupConfig withNear(boolean value) {
    return new DedupConfig(exact, value, shingleSize, bands, rows, threshold, seed, maxBucketSize,
        localComponentsMaxEdges, broadcastMaxRows,
        localCandidatesMaxDocs);
  }

  public DedupConfig withShingleSize(int value) {
    return new DedupConfig(exact, near, value, bands, rows, threshold, seed, maxBucketSize,
        localComponentsMaxEdges, broadcastMaxRows,
        localCandidatesMaxDocs);
  }

  public DedupConfig withBanding(int newBands, int newRows) {
    return new DedupConfig(exact, near, shingleSize, newBands, newRows, threshold, seed, maxBucketSize,
        localComponentsMaxEdges, broadcastMaxRows,
        localCandidatesMaxDocs);
  }

  public DedupConfig withThreshold(double value) {
    return new DedupConfig(exact, near, shingleSize, bands, rows, value, seed, maxBucketSize,
        localComponentsMaxEdges, broadcastMaxRows,
        localCandidatesMaxDocs);
  }

  public DedupConfig withSeed(long value) {
    return new DedupConfig(exact, near, shingleSize, bands, rows, threshold, value, maxBucketSize,
        localComponentsMaxEdges, broadcastMaxRows,
        localCandidatesMaxDocs);
  }

  public DedupConfig withMaxBucketSize(int value) {
    return new DedupConfig(exact, near, shingleSize, bands, rows, threshold, seed, value,
        localComponentsMaxEdges, broadcastMaxRows,
        localCandidatesMaxDocs);
  }

  public DedupConfig withLocalComponentsMaxEdges(long value) {
    return new DedupConfig(exact, near, shingleSize, bands, rows, threshold, seed, maxBucketSize, value,
        broadcastMaxRows, localCandidatesMaxDocs);
  }

  public DedupConfig withBroadcastMaxRows(long value) {
    return new DedupConfig(exact, near, shingleSize, bands, rows, threshold, seed, maxBucketSize,
        localComponentsMaxEdges, value, localCandidatesMaxDocs);
  }

  public DedupConfig withLocalCandidatesMaxDocs(long value) {
    return new DedupConfig(exact, near, shingleSize, bands, rows, threshold, seed, maxBucketSize,
        localComponentsMaxEdges, broadcastMaxRows, value);
  }

  private static void require(boolean ok, String key, Object value, String allowed) {
    if (!ok) {
      throw new IllegalArgumentException("dedup." + key + " = " + value + " is invalid; allowed: " + allowed);
    }
  }
}
