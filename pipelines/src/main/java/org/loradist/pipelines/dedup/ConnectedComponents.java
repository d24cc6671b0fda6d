package org.loradist.pipelines.dedup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.LongAccumulator;

/**
 * Connected components of an undirected graph given as an edge DataFrame; every vertex that has an edge (self
 * loops do not count) gets the smallest vertex id of its component. Two ways, same rows:
 *
 * <ul>
 *   <li><b>Local</b> (edge rows &lt;= {@code localMaxEdges}): all edges go to ONE Spark task on an executor
 *       ({@code coalesce(1)} of the materialised edges, no shuffle) that runs union-find and emits
 *       (vertex, component). Never on the driver.</li>
 *   <li><b>Distributed</b> (more edges): min-label propagation with pointer jumping, each round a Spark join.</li>
 * </ul>
 *
 * <p>Why two: the distributed rounds are what scales past one executor's memory, but each round is a few Spark
 * jobs (about 5 with AQE, which submits every shuffle stage as a job) and a graph needs about log2(diameter) + 2
 * of them: ~50 jobs and several seconds of pure scheduling for 50k documents whose verified near-duplicate edge
 * list is ~10k rows that one task handles in milliseconds. Union-find in one task holds a hash map of the vertices
 * (roughly 150 bytes plus the id per vertex, at most two vertices per edge row), so the default limit of
 * {@value #DEFAULT_LOCAL_MAX_EDGES} edge rows keeps it to a few hundred MB of one executor's heap. Both paths give
 * the smallest vertex id of each component, so the result does not depend on which one ran.
 *
 * <p>Distributed: each vertex starts with the smallest id among itself and its neighbours; every round it takes
 * the smallest label of its neighbours, then jumps to its label's label. Labels only decrease and are always
 * vertices of the same component, so at the fixpoint (a round with no change) every vertex holds the smallest
 * vertex id of its component. Propagation alone needs as many rounds as the component's diameter; the jump
 * shortcuts chains (roughly halving the remaining distance per round). Each round's labels are checkpointed
 * (reliable checkpoint when the SparkContext has a checkpoint dir, else {@code localCheckpoint}) so the lineage,
 * and the plan Spark must analyse, stays one round deep. The edges and labels never reach the driver; only the
 * count of changed labels does (an accumulator filled while a round is checkpointed, so a round is one job).
 *
 * <p>The edges are materialised once either way (they are read twice by the distributed path, and the path choice
 * needs their count); the count comes from an accumulator filled while they are checkpointed, not from a second
 * job. A retried or recomputed task may count its rows twice: that can only pick the distributed path for a graph
 * near the limit, never change the result.
 */
public final class ConnectedComponents {
  /** More rounds than this means something is wrong (labels only decrease); refuse rather than loop. */
  public static final int MAX_ROUNDS = 200;
  /** Up to this many edge rows, the components are found by union-find in one task. */
  public static final long DEFAULT_LOCAL_MAX_EDGES = 1_000_000L;

  private static final StructType OUTPUT = new StructType()
      .add("vertex", DataTypes.StringType, false)
      .add("component", DataTypes.StringType, false);

  /** Which way the components were found, and the counted edge rows that chose it. */
  public record Result(Dataset<Row> components, boolean local, long edgeRows) {}

  private ConnectedComponents() {}

  /** {@link #compute} with the default local limit; returns only the components. */
  public static Dataset<Row> of(Dataset<Row> edges) {
    return compute(edges, DEFAULT_LOCAL_MAX_EDGES).components();
  }

  /**
   * @param edges         rows with string columns {@code src}, {@code dst} (either direction, duplicates allowed)
   * @param localMaxEdges at most this many edge rows: union-find in one task; more: distributed rounds
   * @return components: {@code vertex}, {@code component}, one row per vertex that has an edge to another vertex;
   *     component = smallest vertex id of its component
   */
  public static Result compute(Dataset<Row> edges, long localMaxEdges) {
    if (localMaxEdges < 0) {
      throw new IllegalArgumentException("localMaxEdges = " + localMaxEdges + " is invalid; allowed: >= 0");
    }
    Counted edgeList = Counted.checkpoint(edges.select(col("src"), col("dst")), "connected-components edge");
    long edgeRows = edgeList.rows();
    return edgeRows <= localMaxEdges
        ? new Result(local(edgeList.data()), true, edgeRows)
        : new Result(distributed(edgeList.data()), false, edgeRows);
  }

  /** Union-find over all edges in one task (edges must be materialised: coalesce(1) would pull its plan in). */
  static Dataset<Row> local(Dataset<Row> edgeList) {
    return edgeList.coalesce(1).mapPartitions(
        (MapPartitionsFunction<Row, Row>) ConnectedComponents::unionFind, Encoders.row(OUTPUT));
  }

  /** (vertex, smallest vertex of its component) per vertex with an edge to another; self loops, nulls left out. */
  static Iterator<Row> unionFind(Iterator<Row> edges) {
    Map<String, String> parent = new HashMap<>();
    while (edges.hasNext()) {
      Row edge = edges.next();
      String a = edge.getString(0);
      String b = edge.getString(1);
      if (a == null || b == null || a.equals(b)) {
        continue; // as the distributed path: no connection (its vertex <> neighbour filter drops these)
      }
      String rootA = find(parent, a);
      String rootB = find(parent, b);
      // The smaller id becomes the root, so every root is its component's smallest vertex; smaller as Spark orders
      // strings (UTF-8 bytes), like the distributed path's min, not as String.compareTo does (UTF-16 units).
      int order = UTF8String.fromString(rootA).compareTo(UTF8String.fromString(rootB));
      if (order < 0) {
        parent.put(rootB, rootA);
      } else if (order > 0) {
        parent.put(rootA, rootB);
      }
    }
    List<Row> out = new ArrayList<>(parent.size());
    for (String vertex : parent.keySet()) {
      out.add(RowFactory.create(vertex, find(parent, vertex)));
    }
    return out.iterator();
  }

  /** The root of {@code v} (added as its own root when new), with path halving. */
  private static String find(Map<String, String> parent, String v) {
    String p = parent.putIfAbsent(v, v);
    if (p == null) {
      return v;
    }
    while (!p.equals(v)) {
      String grandparent = parent.get(p);
      parent.put(v, grandparent);
      v = grandparent;
      p = parent.get(v);
    }
    return v;
  }

  /** Min-label propagation with pointer jumping (see the class comment); {@code edgeList} is read twice. */
  static Dataset<Row> distributed(Dataset<Row> edgeList) {
    Dataset<Row> adjacency = withoutConstraints(checkpoint(edgeList.select(col("src").as("vertex"), col("dst").as("neighbour"))
        .union(edgeList.select(col("dst").as("vertex"), col("src").as("neighbour")))
        .filter(col("vertex").notEqual(col("neighbour")))
        .distinct()));
    if (adjacency.isEmpty()) {
      // No edge, no component: skip the rounds.
      return adjacency.select(col("vertex"), col("neighbour").as("component"));
    }
    Dataset<Row> labels = withoutConstraints(checkpoint(adjacency.groupBy("vertex")
        .agg(min("neighbour").as("smallest_neighbour"))
        .select(col("vertex"), least(col("vertex"), col("smallest_neighbour")).as("component"))));

    SparkContext sc = edgeList.sparkSession().sparkContext();
    for (int round = 1; round <= MAX_ROUNDS; round++) {
      Dataset<Row> fromNeighbours = adjacency
          .join(labels.select(col("vertex").as("neighbour"), col("component")), "neighbour")
          .select(col("vertex"), col("component"), lit(null).cast("string").as("previous"));
      // The vertex's own row carries its previous label along, so "changed?" needs no extra join.
      Dataset<Row> propagated = fromNeighbours.union(labels.select(col("vertex"), col("component"),
              col("component").as("previous")))
          .groupBy("vertex").agg(min("component").as("component"), min("previous").as("previous"));
      // Changed labels are counted while the round is checkpointed, not by a second job over it. A retried task
      // may count twice; only "none changed" decides, and a retry of a task that saw no change adds nothing.
      LongAccumulator changed = sc.longAccumulator("connected-components changed labels, round " + round);
      UserDefinedFunction countChange = functions.udf((UDF2<String, String, Boolean>) (label, previous) -> {
        if (!label.equals(previous)) {
          changed.add(1);
        }
        return true;
      }, DataTypes.BooleanType).asNondeterministic();
      labels = withoutConstraints(checkpoint(propagated
          .join(propagated.select(col("vertex").as("component"), col("component").as("label_of_label")), "component")
          .select(col("vertex"), least(col("component"), col("label_of_label")).as("component"), col("previous"))
          .filter(countChange.apply(col("component"), col("previous")))
          .select("vertex", "component")));
      if (changed.value() == 0) {
        return labels;
      }
    }
    throw new IllegalStateException("connected components did not converge in " + MAX_ROUNDS + " rounds");
  }

  /**
   * The same rows with a plan that carries no constraints. A checkpoint keeps the constraints of the plan it ran
   * (SPARK-41539); carried round after round they can name attributes that no longer exist, and Spark 3.5's
   * optimizer then fails with "key not found: vertex#..." in Union.rewriteConstraints (as splink#2524 reports for
   * its own iterative components). Rebuilding the DataFrame from the checkpointed rows drops them.
   */
  private static Dataset<Row> withoutConstraints(Dataset<Row> checkpointed) {
    return checkpointed.sparkSession().createDataFrame(checkpointed.javaRDD(), checkpointed.schema());
  }

  static Dataset<Row> checkpoint(Dataset<Row> data) {
    return data.sparkSession().sparkContext().getCheckpointDir().isDefined()
        ? data.checkpoint(true)
        : data.localCheckpoint(true);
  }
}
