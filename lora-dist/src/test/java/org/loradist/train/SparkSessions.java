package org.loradist.train;

import org.apache.spark.sql.SparkSession;

/** Lean local Spark sessions for the trainer tests (barrier mode needs as many slots as workers). */
final class SparkSessions {
  private SparkSessions() {
  }

  static SparkSession local(String master, String app) {
    return SparkSession.builder().master(master).appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.task.cpus", "1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
  }
}
