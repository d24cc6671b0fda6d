package org.loradist.pipelines.dedup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.LongAccumulator;

/**
 * Connected components of an undirected graph given as an edge DataFrame, computed with Spark joins: min-label
 * propagation with pointer jumping. Each vertex starts with the smallest id among itself and its neighbours;
 * every round it takes the smallest label of its neighbours, then jumps to its label's label. Labels only
 * decrease and are always vertices of the same component, so at the fixpoint (a round with no change) every
 * vertex holds the smallest vertex id of its component. Propagation alone needs as many rounds as the
 * component's diameter; the jump shortcuts chains (roughly halving the remaining distance per round).
 *
 * <p>Each round's labels are checkpointed (reliable checkpoint when the SparkContext has a checkpoint dir, else
 * {@code localCheckpoint}) so the lineage, and the plan Spark must analyse, stays one round deep. The edges and
 * labels never reach the driver; only the count of changed labels does (an accumulator filled while a round is
 * checkpointed, so a round is one job).
 */
public final class ConnectedComponents {
  /** More rounds than this means something is wrong (labels only decrease); refuse rather than loop. */
  public static final int MAX_ROUNDS = 200;

  private ConnectedComponents() {}

  /**
   * @param edges  rows with string columns {@code src}, {@code dst} (either direction, duplicates allowed)
   * @return {@code vertex}, {@code component}: one row per vertex that has an edge; component = smallest vertex id
   */
  public static Dataset<Row> of(Dataset<Row> edges) {
    // The edges are read twice below (both directions): computed once, whatever produced them.
    Dataset<Row> edgeList = checkpoint(edges.select(col("src"), col("dst")));
    Dataset<Row> adjacency = checkpoint(edgeList.select(col("src").as("vertex"), col("dst").as("neighbour"))
        .union(edgeList.select(col("dst").as("vertex"), col("src").as("neighbour")))
        .filter(col("vertex").notEqual(col("neighbour")))
        .distinct());
    if (adjacency.isEmpty()) {
      // No edge, no component: skip the rounds (a corpus without near-duplicates is common).
      return adjacency.select(col("vertex"), col("neighbour").as("component"));
    }
    Dataset<Row> labels = checkpoint(adjacency.groupBy("vertex")
        .agg(min("neighbour").as("smallest_neighbour"))
        .select(col("vertex"), least(col("vertex"), col("smallest_neighbour")).as("component")));

    SparkContext sc = edges.sparkSession().sparkContext();
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
      labels = checkpoint(propagated
          .join(propagated.select(col("vertex").as("component"), col("component").as("label_of_label")), "component")
          .select(col("vertex"), least(col("component"), col("label_of_label")).as("component"), col("previous"))
          .filter(countChange.apply(col("component"), col("previous")))
          .select("vertex", "component"));
      if (changed.value() == 0) {
        return labels;
      }
    }
    throw new IllegalStateException("connected components did not converge in " + MAX_ROUNDS + " rounds");
  }

  static Dataset<Row> checkpoint(Dataset<Row> data) {
    return data.sparkSession().sparkContext().getCheckpointDir().isDefined()
        ? data.checkpoint(true)
        : data.localCheckpoint(true);
  }
}
