package org.loradist.jobs.cli;

import java.io.PrintStream;
import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.SparkSessions;
import org.loradist.jobs.config.JobConfig;

/** What a command runs with: its validated config, a Spark session opened on first use, and the console. */
public final class JobContext implements AutoCloseable {
  private final String command;
  private final JobConfig config;
  private final PrintStream out;
  private SparkSessions.Handle spark;

  public JobContext(String command, JobConfig config, PrintStream out) {
    this.command = command;
    this.config = config;
    this.out = out;
  }

  public String command() {
    return command;
  }

  public JobConfig config() {
    return config;
  }

  public PrintStream out() {
    return out;
  }

  public SparkSession spark() {
    if (spark == null) {
      spark = SparkSessions.open(config);
    }
    return spark.session();
  }

  @Override
  public void close() {
    if (spark != null) {
      spark.close();
    }
  }
}
