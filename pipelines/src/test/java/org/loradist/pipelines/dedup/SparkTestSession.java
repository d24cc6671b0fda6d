package org.loradist.pipelines.dedup;

import org.apache.spark.sql.SparkSession;

/** One lean local[2] session for the dedup tests (shared per JVM; Spark allows one active context anyway). */
final class SparkTestSession {
  private static SparkSession spark;

  private SparkTestSession() {}

  static synchronized SparkSession get() {
    if (spark == null) {
      spark = SparkSession.builder()
          .master("local[2]")
          .appName("dedup-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.default.parallelism", "4")
          // Tiny data on 2 busy cores: per-stage overhead dominates; skip AQE re-planning and codegen compiles.
          .config("spark.sql.adaptive.enabled", "false")
          .config("spark.sql.codegen.wholeStage", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .getOrCreate();
      spark.sparkContext().setLogLevel("WARN");
    }
    return spark;
  }
}
