package org.loradist.train;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;
import org.apache.spark.SparkConf;

/**
 * PyTorch intra-op threads for one training task. A barrier stage holds its executors for the whole segment, so a
 * task may use its share of its JVM's cores: the executor's cores (spark.executor.cores, or N of a local[N] master)
 * divided among the stage's tasks in that JVM, and never less than spark.task.cpus. Without this a local run with
 * one worker trained on one core of many.
 */
final class TaskThreads {
  private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)(?:,\\d+)?]|local");

  private TaskThreads() {}

  static int of(BarrierTaskContext ctx, SparkConf conf) {
    BarrierTaskInfo[] tasks = ctx.getTaskInfos();
    String here = tasks[ctx.partitionId()].address();
    int tasksHere = 0;
    for (BarrierTaskInfo t : tasks) {
      tasksHere += t.address().equals(here) ? 1 : 0;
    }
    return share(jvmCores(conf), tasksHere, ctx.cpus());
  }

  /** {@code jvmCores / tasksHere}, at least {@code taskCpus}; unknown JVM cores (0) give {@code taskCpus}. */
  static int share(int jvmCores, int tasksHere, int taskCpus) {
    return Math.max(Math.max(1, taskCpus), jvmCores / Math.max(1, tasksHere));
  }

  /** The cores this executor JVM may use, as Spark was told; 0 when it was not told (e.g. a standalone default). */
  static int jvmCores(SparkConf conf) {
    if (conf.contains("spark.executor.cores")) {
      return conf.getInt("spark.executor.cores", 0);
    }
    Matcher local = LOCAL.matcher(conf.get("spark.master", ""));
    if (!local.matches()) {
      return 0;
    }
    String n = local.group(1);
    return n == null ? 1 : n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
  }
}
