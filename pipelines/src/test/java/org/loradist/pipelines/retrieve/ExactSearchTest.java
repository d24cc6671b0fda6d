package org.loradist.pipelines.retrieve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Distributed top-k equals a brute-force driver-side search, ties (duplicate vectors) included. */
class ExactSearchTest {
  @Test
  void topKEqualsBruteForceAcrossPartitions() {
    SplittableRandom rng = new SplittableRandom(7);
    int n = 400;
    int dim = 16;
    float[][] corpus = new float[n][];
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      corpus[i] = i % 50 == 49 ? corpus[i - 1].clone() : random(rng, dim); // some exact ties
      Float[] boxed = new Float[dim];
      for (int j = 0; j < dim; j++) {
        boxed[j] = corpus[i][j];
      }
      rows.add(RowFactory.create(String.format("c%03d", i), boxed));
    }
    float[][] queries = new float[9][];
    List<String> ids = new ArrayList<>();
    for (int q = 0; q < queries.length; q++) {
      queries[q] = q < 3 ? corpus[48 + 50 * q].clone() : random(rng, dim);
      ids.add("q" + q);
    }
    int k = 7;
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "3").getOrCreate();
    try {
      StructType schema = new StructType().add("chunk_id", DataTypes.StringType)
          .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false));
      Dataset<Row> emb = spark.createDataFrame(rows, schema).repartition(5);
      List<Row> got = ExactSearch.topK(emb, ids, queries, k).orderBy("query_id", "rank").collectAsList();
      assertThat(got).hasSize(queries.length * k);
      for (int q = 0; q < queries.length; q++) {
        final int qi = q;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          order.add(i);
        }
        float[] scores = new float[n];
        for (int i = 0; i < n; i++) {
          scores[i] = ExactSearch.dot(queries[qi], 0, corpus[i], dim);
        }
        order.sort(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparing(i -> String.format("c%03d", i)));
        for (int r = 0; r < k; r++) {
          Row row = got.get(q * k + r);
          assertThat(row.getString(0)).isEqualTo("q" + q);
          assertThat(row.getInt(1)).isEqualTo(r + 1);
          assertThat(row.getString(2)).isEqualTo(String.format("c%03d", order.get(r)));
          assertThat(row.getFloat(3)).isEqualTo(scores[order.get(r)]);
        }
      }
      // the tied pair (c048, c049) ranks by chunk_id
      assertThat(got.get(0).getString(2)).isEqualTo("c048");
      assertThat(got.get(1).getString(2)).isEqualTo("c049");
    } finally {
      spark.stop();
    }
  }

  static float[] random(SplittableRandom rng, int dim) {
    float[] v = new float[dim];
    double norm = 0;
    for (int i = 0; i < dim; i++) {
      v[i] = (float) rng.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < dim; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }
}
