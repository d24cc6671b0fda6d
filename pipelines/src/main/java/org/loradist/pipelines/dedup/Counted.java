package org.loradist.pipelines.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF0;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.LongAccumulator;

/**
 * A materialised (checkpointed) Dataset and its row count, counted by an accumulator while it was written rather
 * than by a second job. A retried or recomputed task may count its rows twice, so {@code rows} can only be too high:
 * callers use it to choose a plan (broadcast or shuffle, one task or distributed), never as a result.
 */
record Counted(Dataset<Row> data, long rows) {
  static Counted checkpoint(Dataset<Row> data, String what) {
    LongAccumulator rows = data.sparkSession().sparkContext().longAccumulator(what + " rows");
    UserDefinedFunction countRow = functions.udf((UDF0<Boolean>) () -> {
      rows.add(1);
      return true;
    }, DataTypes.BooleanType).asNondeterministic();
    Dataset<Row> materialised = ConnectedComponents.checkpoint(data.filter(countRow.apply()));
    return new Counted(materialised, rows.value());
  }
}
