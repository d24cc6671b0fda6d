package org.loradist.jobs;

import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.Settings;

/**
 * Opens the Spark session a job runs in. Under spark-submit or in a Databricks notebook a session (or
 * spark.master) already exists and is used as it is; from the plain CLI an embedded {@code local[*]} is started
 * and stopped at the end (as is a session that spark-submit's main starts here).
 */
public final class SparkSessions {
  private SparkSessions() {}

  /** A session and whether this process started it (and so must stop it). */
  public record Handle(SparkSession session, boolean owned) implements AutoCloseable {
    @Override
    public void close() {
      if (owned) {
        session.stop();
      }
    }
  }

  public static Handle open(JobConfig config) {
    String master = config.string(Settings.SPARK_MASTER);
    if (master.isEmpty() && SparkSession.getActiveSession().isDefined()) {
      return new Handle(SparkSession.getActiveSession().get(), false);
    }
    boolean preconfigured = System.getProperty("spark.master") != null;
    SparkSession.Builder b = SparkSession.builder().appName(config.string(Settings.SPARK_APP_NAME))
        .config("spark.sql.shuffle.partitions", config.integer(Settings.SPARK_PARTITIONS))
        // DJL reads DJL_OFFLINE before ai.djl.offline: executors we launch never reach for the network.
        .config("spark.executorEnv.DJL_OFFLINE", "true");
    if (!master.isEmpty()) {
      b.master(master);
    } else if (!preconfigured) {
      b.master("local[*]")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1");
    }
    boolean existed = SparkSession.getDefaultSession().isDefined();
    SparkSession session = b.getOrCreate();
    return new Handle(session, !existed);
  }
}
