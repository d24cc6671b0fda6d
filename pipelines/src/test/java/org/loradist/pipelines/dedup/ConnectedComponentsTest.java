package org.loradist.pipelines.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class ConnectedComponentsTest {
  private final SparkSession spark = SparkTestSession.get();

  @Test
  void matchesUnionFindOnChainsStarsAndRandomEdges() {
    List<String[]> edges = new ArrayList<>();
    // A 64-long path whose ids decrease along it: plain propagation would need 63 rounds.
    for (int i = 0; i < 63; i++) {
      edges.add(new String[] {id(1000 - i), id(1000 - i - 1)});
    }
    // A star, and random sparse edges among 300 vertices.
    for (int i = 1; i < 30; i++) {
      edges.add(new String[] {id(2000 + i), id(2000)});
    }
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      edges.add(new String[] {id(3000 + random.nextInt(300)), id(3000 + random.nextInt(300))});
    }
    List<Row> rows = new ArrayList<>();
    for (String[] edge : edges) {
      rows.add(RowFactory.create(edge[0], edge[1]));
    }
    StructType schema = new StructType().add("src", DataTypes.StringType).add("dst", DataTypes.StringType);
    Dataset<Row> edgeFrame = spark.createDataFrame(rows, schema).repartition(3);

    Map<String, String> actual = new HashMap<>();
    for (Row row : ConnectedComponents.of(edgeFrame).collectAsList()) {
      actual.put(row.getString(0), row.getString(1));
    }
    assertThat(actual).isEqualTo(unionFind(edges));
    assertThat(actual.get(id(1000))).isEqualTo(id(937));
  }

  private static Map<String, String> unionFind(List<String[]> edges) {
    Map<String, String> parent = new HashMap<>();
    for (String[] edge : edges) {
      if (edge[0].equals(edge[1])) {
        continue; // self loops carry no connection (and ConnectedComponents drops them)
      }
      String a = find(parent, edge[0]);
      String b = find(parent, edge[1]);
      if (a.compareTo(b) < 0) {
        parent.put(b, a);
      } else if (b.compareTo(a) < 0) {
        parent.put(a, b);
      }
    }
    Map<String, String> component = new HashMap<>();
    for (String vertex : new ArrayList<>(parent.keySet())) {
      component.put(vertex, find(parent, vertex));
    }
    return component;
  }

  private static String find(Map<String, String> parent, String v) {
    parent.putIfAbsent(v, v);
    while (!parent.get(v).equals(v)) {
      v = parent.get(v);
    }
    return v;
  }

  private static String id(int i) {
    return String.format("v%05d", i);
  }
}
