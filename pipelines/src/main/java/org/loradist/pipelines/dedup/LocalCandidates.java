package org.loradist.pipelines.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The exact representatives and the LSH candidates of a small corpus, found in one executor task, in memory: the
 * same rows the distributed plan of {@link Deduplicator} and {@link NearDuplicates#candidatesOfBands} gives (a
 * window over content_hash, a window over buckets, a self-join and two distincts), without its dozen Spark stages.
 *
 * <p>Why: on a small corpus those stages are mostly scheduling. With 40k documents on 2 cores they took about 5 s
 * of prep's 7 s of dedup, for work that one task does in well under a second. The distributed plan stays for
 * corpora above {@link DedupConfig#localCandidatesMaxDocs}; this path holds the ids, hashes and band keys of every
 * document (about 500 bytes each with the default 20 bands) on one executor.
 *
 * <p>Input rows: {@code doc_id}, {@code content_hash}, {@code band_keys} (the document's LSH band keys; empty for a
 * document without words). Output rows {@code kind, a, b}: ("exact", doc_id, exact_rep) for each document whose
 * content an earlier doc_id has; ("pair", doc_a, doc_b) for each distinct candidate pair, doc_a &lt; doc_b; and
 * ("member", doc_id, null) for each document in at least one pair. Ids are ordered as Spark orders strings (by UTF-8
 * bytes), so "smallest" means the same here as in the distributed plan.
 */
final class LocalCandidates {
  static final StructType OUTPUT = new StructType()
      .add("kind", DataTypes.StringType, false)
      .add("a", DataTypes.StringType, false)
      .add("b", DataTypes.StringType, true);

  private LocalCandidates() {}

  /** All of {@code sketch} (materialised: coalesce(1) would pull its plan into the one task) in one task. */
  static Dataset<Row> find(Dataset<Row> sketch, DedupConfig config) {
    boolean exact = config.exact();
    int maxBucketSize = config.maxBucketSize();
    return sketch.select("doc_id", "content_hash", "band_keys").coalesce(1).mapPartitions(
        (MapPartitionsFunction<Row, Row>) rows -> of(rows, exact, maxBucketSize), Encoders.row(OUTPUT));
  }

  static Iterator<Row> of(Iterator<Row> rows, boolean exact, int maxBucketSize) {
    List<String> ids = new ArrayList<>();
    List<String> hashes = new ArrayList<>();
    List<long[]> keys = new ArrayList<>();
    while (rows.hasNext()) {
      Row row = rows.next();
      ids.add(row.getString(0));
      hashes.add(row.getString(1));
      List<Long> bandKeys = row.getList(2);
      keys.add(bandKeys.stream().mapToLong(Long::longValue).toArray());
    }
    int n = ids.size();
    // rank = the id's place in Spark's string order; every comparison below is on ranks
    UTF8String[] utf8 = ids.stream().map(UTF8String::fromString).toArray(UTF8String[]::new);
    Integer[] byId = new Integer[n];
    Arrays.setAll(byId, i -> i);
    Arrays.sort(byId, (x, y) -> utf8[x].compareTo(utf8[y]));
    int[] rank = new int[n];
    String[] idOfRank = new String[n];
    for (int r = 0; r < n; r++) {
      rank[byId[r]] = r;
      idOfRank[r] = ids.get(byId[r]);
    }

    List<Row> out = new ArrayList<>();
    boolean[] representative = new boolean[n];
    Arrays.fill(representative, true);
    if (exact) {
      Map<String, Integer> smallestRank = new HashMap<>();
      for (int i = 0; i < n; i++) {
        smallestRank.merge(hashes.get(i), rank[i], Math::min);
      }
      for (int i = 0; i < n; i++) {
        int rep = smallestRank.get(hashes.get(i));
        if (rep != rank[i]) {
          representative[i] = false;
          out.add(RowFactory.create("exact", ids.get(i), idOfRank[rep]));
        }
      }
    }

    boolean[] member = new boolean[n];
    long[] pairs = new long[16];
    int count = 0;
    for (int[] ranks : buckets(keys, representative, rank)) {
      for (int r : ranks) {
        member[r] = true;
      }
      int size = ranks.length;
      long needed = count + (size <= maxBucketSize ? (long) size * (size - 1) / 2 : size - 1);
      if (needed > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("more than 2^31 candidate pairs in one task; lower maxBucketSize ("
            + maxBucketSize + ") or localCandidatesMaxDocs");
      }
      if (needed > pairs.length) {
        pairs = Arrays.copyOf(pairs, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(pairs.length * 2L, needed)));
      }
      count = size <= maxBucketSize ? allPairs(ranks, pairs, count) : starPairs(ranks, pairs, count);
    }
    Arrays.sort(pairs, 0, count);
    for (int j = 0; j < count; j++) {
      if (j == 0 || pairs[j] != pairs[j - 1]) {
        out.add(RowFactory.create("pair", idOfRank[(int) (pairs[j] >>> 32)], idOfRank[(int) pairs[j]]));
      }
    }
    for (int r = 0; r < n; r++) {
      if (member[r]) {
        out.add(RowFactory.create("member", idOfRank[r], null));
      }
    }
    return out.iterator();
  }

  /**
   * The buckets: for each band key shared by two or more representatives, their ranks, sorted. Found by sorting all
   * keys first, so that only the colliding ones (few) get a member list.
   */
  private static Collection<int[]> buckets(List<long[]> keys, boolean[] representative, int[] rank) {
    int total = 0;
    for (int i = 0; i < keys.size(); i++) {
      total += representative[i] ? keys.get(i).length : 0;
    }
    long[] sorted = new long[total];
    int at = 0;
    for (int i = 0; i < keys.size(); i++) {
      if (representative[i]) {
        long[] k = keys.get(i);
        System.arraycopy(k, 0, sorted, at, k.length);
        at += k.length;
      }
    }
    Arrays.sort(sorted);
    long[] colliding = new long[total];
    int collisions = 0;
    for (int j = 1; j < total; j++) {
      if (sorted[j] == sorted[j - 1] && (collisions == 0 || colliding[collisions - 1] != sorted[j])) {
        colliding[collisions++] = sorted[j];
      }
    }
    Map<Long, int[]> members = new HashMap<>(); // bucket -> {count, ranks...}
    for (int i = 0; i < keys.size(); i++) {
      if (!representative[i]) {
        continue;
      }
      for (long key : keys.get(i)) {
        if (Arrays.binarySearch(colliding, 0, collisions, key) >= 0) {
          members.merge(key, new int[] {1, rank[i]}, LocalCandidates::append);
        }
      }
    }
    List<int[]> buckets = new ArrayList<>(members.size());
    for (int[] bucket : members.values()) {
      int[] ranks = Arrays.copyOfRange(bucket, 1, 1 + bucket[0]);
      Arrays.sort(ranks);
      buckets.add(ranks);
    }
    return buckets;
  }

  /** Every pair (smaller rank, larger rank) of a bucket, packed in a long, from {@code count} on; the new count. */
  private static int allPairs(int[] ranks, long[] pairs, int count) {
    for (int x = 0; x < ranks.length; x++) {
      for (int y = x + 1; y < ranks.length; y++) {
        pairs[count++] = ((long) ranks[x] << 32) | ranks[y];
      }
    }
    return count;
  }

  /** An oversized bucket's star: (its smallest rank, each other rank); the new count. */
  private static int starPairs(int[] ranks, long[] pairs, int count) {
    for (int y = 1; y < ranks.length; y++) {
      pairs[count++] = ((long) ranks[0] << 32) | ranks[y];
    }
    return count;
  }

  /** {count, ranks...} with one more rank, grown by doubling. */
  private static int[] append(int[] list, int[] one) {
    int size = list[0];
    int[] grown = size + 1 < list.length ? list : Arrays.copyOf(list, Math.max(4, list.length * 2));
    grown[size + 1] = one[1];
    grown[0] = size + 1;
    return grown;
  }
}
