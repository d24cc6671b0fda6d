package org.loradist.pipelines.dedup;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
  void bothPathsMatchUnionFindOnChainsStarsCyclesAndManySmallComponents() {
    List<String[]> edges = new ArrayList<>();
    // A 64-long path whose ids decrease along it: plain propagation would need 63 rounds.
    for (int i = 0; i < 63; i++) {
      edges.add(new String[] {id(1000 - i), id(1000 - i - 1)});
    }
    // Stars: one centred on its largest id, one on its smallest.
    for (int i = 1; i < 30; i++) {
      edges.add(new String[] {id(2000 + i), id(2000)});
      edges.add(new String[] {id(2100), id(2050 + i)});
    }
    Random random = new Random(7);
    // A 50-cycle through shuffled ids.
    List<Integer> cycle = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      cycle.add(2500 + i);
    }
    java.util.Collections.shuffle(cycle, random);
    for (int i = 0; i < cycle.size(); i++) {
      edges.add(new String[] {id(cycle.get(i)), id(cycle.get((i + 1) % cycle.size()))});
    }
    // Many small components (pairs and triangles), some edges repeated or reversed, some self loops.
    for (int c = 0; c < 150; c++) {
      int base = 5000 + 3 * c;
      edges.add(new String[] {id(base + 2), id(base)});
      if (c % 2 == 0) {
        edges.add(new String[] {id(base + 1), id(base + 2)});
      }
      if (c % 5 == 0) {
        edges.add(new String[] {id(base), id(base + 2)});
        edges.add(new String[] {id(base + 1), id(base + 1)});
      }
    }
    edges.add(new String[] {id(9999), id(9999)}); // a vertex with only a self loop has no component row
    // Random sparse edges among 300 vertices.
    for (int i = 0; i < 200; i++) {
      edges.add(new String[] {id(3000 + random.nextInt(300)), id(3000 + random.nextInt(300))});
    }
    Dataset<Row> edgeFrame = frame(edges).repartition(3);

    ConnectedComponents.Result local = ConnectedComponents.compute(edgeFrame, Long.MAX_VALUE);
    ConnectedComponents.Result distributed = ConnectedComponents.compute(edgeFrame, 0);
    assertThat(local.local()).isTrue();
    assertThat(distributed.local()).as("limit 0 forces the distributed rounds").isFalse();
    assertThat(local.edgeRows()).isEqualTo(edges.size());

    Map<String, String> expected = unionFind(edges);
    assertThat(collect(local.components())).isEqualTo(expected);
    assertThat(collect(distributed.components())).isEqualTo(expected);
    assertThat(expected.get(id(1000))).isEqualTo(id(937));
    assertThat(expected).doesNotContainKey(id(9999));
  }

  @Test
  void bothPathsAgreeOnRealNearDuplicateEdges() {
    Dataset<Row> docs = spark.read().json("../../shared/data/debian-packages/dev.jsonl.gz")
        .select(col("package").as("doc_id"), col("description").as("text"))
        .limit(2500); // one gzip file is one partition: its first lines, the same every run
    Dataset<Row> edges = NearDuplicates.pairs(docs, DedupConfig.defaults())
        .select(col("doc_a").as("src"), col("doc_b").as("dst")).localCheckpoint();
    ConnectedComponents.Result local = ConnectedComponents.compute(edges, 1_000_000);
    ConnectedComponents.Result distributed = ConnectedComponents.compute(edges, 0);
    assertThat(local.local()).isTrue();
    assertThat(distributed.local()).isFalse();
    assertThat(local.edgeRows()).as("a real graph, not a trivial one").isGreaterThan(100);

    Map<String, String> fromLocal = collect(local.components());
    assertThat(collect(distributed.components())).isEqualTo(fromLocal);
    List<String[]> edgeList = new ArrayList<>();
    for (Row row : edges.collectAsList()) {
      edgeList.add(new String[] {row.getString(0), row.getString(1)});
    }
    assertThat(fromLocal).isEqualTo(unionFind(edgeList));
    assertThat(new HashSet<>(fromLocal.values()).size()).as("several groups").isGreaterThan(10)
        .isLessThan(fromLocal.size());
  }

  @Test
  void theEdgeCountAgainstTheLimitChoosesThePath() {
    Dataset<Row> edges = frame(List.of(new String[] {"b", "a"}, new String[] {"c", "b"}, new String[] {"e", "d"}));
    ConnectedComponents.Result atLimit = ConnectedComponents.compute(edges, 3);
    ConnectedComponents.Result belowLimit = ConnectedComponents.compute(edges, 2);
    assertThat(atLimit.local()).isTrue();
    assertThat(belowLimit.local()).isFalse();
    Map<String, String> expected = Map.of("a", "a", "b", "a", "c", "a", "d", "d", "e", "d");
    assertThat(collect(atLimit.components())).isEqualTo(expected);
    assertThat(collect(belowLimit.components())).isEqualTo(expected);

    Dataset<Row> none = frame(List.of());
    assertThat(ConnectedComponents.compute(none, 0).components().count()).isZero();
    assertThat(ConnectedComponents.compute(none, 10).components().count()).isZero();
    assertThatThrownBy(() -> ConnectedComponents.compute(edges, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("localMaxEdges = -1");
  }

  private Dataset<Row> frame(List<String[]> edges) {
    List<Row> rows = new ArrayList<>();
    for (String[] edge : edges) {
      rows.add(RowFactory.create(edge[0], edge[1]));
    }
    StructType schema = new StructType().add("src", DataTypes.StringType).add("dst", DataTypes.StringType);
    return spark.createDataFrame(rows, schema);
  }

  /** vertex -> component; fails on a vertex listed twice. */
  private static Map<String, String> collect(Dataset<Row> components) {
    Map<String, String> map = new HashMap<>();
    for (Row row : components.collectAsList()) {
      assertThat(map.put(row.getString(0), row.getString(1))).as("one row per vertex: %s", row).isNull();
    }
    return map;
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
