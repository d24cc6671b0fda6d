package org.loradist.pipelines.retrieve;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Exact top-k by inner product of many queries against an embeddings table that need not fit on one machine: the
 * query matrix (small) is broadcast, every partition keeps the best k of its own rows per query, and a window over
 * those candidates (at most partitions x k per query) picks the global top k. The corpus never reaches the driver.
 * Ties are broken by chunk_id (ascending), so the result is deterministic whatever the partitioning.
 */
public final class ExactSearch {
  /** Output rows: (query_id, rank from 1, chunk_id, score). */
  public static final StructType RANKINGS = new StructType()
      .add("query_id", DataTypes.StringType, false)
      .add("rank", DataTypes.IntegerType, false)
      .add("chunk_id", DataTypes.StringType, false)
      .add("score", DataTypes.FloatType, false);

  private static final StructType CANDIDATES = new StructType()
      .add("query_id", DataTypes.StringType, false)
      .add("chunk_id", DataTypes.StringType, false)
      .add("score", DataTypes.FloatType, false);

  /** The broadcast queries: ids and one flat row-major [n, dim] block. */
  record Queries(String[] ids, float[] vectors, int dim) implements java.io.Serializable {}

  private ExactSearch() {}

  /**
   * @param embeddings rows with {@code chunk_id} (string) and {@code embedding} (array&lt;float&gt; of {@code dim})
   * @param queryVectors one row per query, each of the embeddings' dimension
   */
  public static Dataset<Row> topK(Dataset<Row> embeddings, List<String> queryIds, float[][] queryVectors, int k) {
    if (queryIds.size() != queryVectors.length) {
      throw new IllegalArgumentException(queryIds.size() + " query ids for " + queryVectors.length + " vectors");
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    int dim = queryVectors.length == 0 ? 0 : queryVectors[0].length;
    float[] flat = new float[queryVectors.length * dim];
    for (int q = 0; q < queryVectors.length; q++) {
      if (queryVectors[q].length != dim) {
        throw new IllegalArgumentException("query " + queryIds.get(q) + " has dimension " + queryVectors[q].length
            + ", the others " + dim);
      }
      System.arraycopy(queryVectors[q], 0, flat, q * dim, dim);
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(embeddings.sparkSession().sparkContext());
    Broadcast<Queries> queries = jsc.broadcast(new Queries(queryIds.toArray(new String[0]), flat, dim));
    Dataset<Row> corpus = embeddings.select("chunk_id", "embedding");
    MapPartitionsFunction<Row, Row> local = rows -> partitionTopK(rows, queries.value(), k);
    Dataset<Row> candidates = corpus.mapPartitions(local, Encoders.row(CANDIDATES));
    return candidates
        .withColumn("rank", row_number().over(Window.partitionBy("query_id")
            .orderBy(col("score").desc(), col("chunk_id").asc())))
        .filter(col("rank").leq(k))
        .select(col("query_id"), col("rank"), col("chunk_id"), col("score"));
  }

  /** Inner product accumulated in double, in index order (what a reference computation can reproduce exactly). */
  public static float dot(float[] q, int offset, float[] v, int dim) {
    double s = 0;
    for (int i = 0; i < dim; i++) {
      s += q[offset + i] * v[i];
    }
    return (float) s;
  }

  private record Hit(String chunkId, float score) {}

  /** Worse first: lower score, then the larger chunk_id (it loses ties). */
  private static int worseFirst(Hit a, Hit b) {
    int c = Float.compare(a.score, b.score);
    return c != 0 ? c : b.chunkId.compareTo(a.chunkId);
  }

  static Iterator<Row> partitionTopK(Iterator<Row> rows, Queries queries, int k) {
    int n = queries.ids().length;
    int dim = queries.dim();
    List<PriorityQueue<Hit>> heaps = new ArrayList<>(n);
    for (int q = 0; q < n; q++) {
      heaps.add(new PriorityQueue<>(k + 1, ExactSearch::worseFirst));
    }
    float[] v = new float[dim];
    while (rows.hasNext()) {
      Row r = rows.next();
      String chunkId = r.getString(0);
      List<Float> values = r.getList(1);
      if (values.size() != dim) {
        throw new IllegalArgumentException("chunk " + chunkId + " has an embedding of dimension " + values.size()
            + ", the queries " + dim);
      }
      for (int i = 0; i < dim; i++) {
        v[i] = values.get(i);
      }
      for (int q = 0; q < n; q++) {
        Hit h = new Hit(chunkId, dot(queries.vectors(), q * dim, v, dim));
        PriorityQueue<Hit> heap = heaps.get(q);
        if (heap.size() < k) {
          heap.add(h);
        } else if (worseFirst(h, heap.peek()) > 0) {
          heap.poll();
          heap.add(h);
        }
      }
    }
    List<Row> out = new ArrayList<>();
    for (int q = 0; q < n; q++) {
      for (Hit h : heaps.get(q)) {
        out.add(RowFactory.create(queries.ids()[q], h.chunkId(), h.score()));
      }
    }
    return out.iterator();
  }
}
