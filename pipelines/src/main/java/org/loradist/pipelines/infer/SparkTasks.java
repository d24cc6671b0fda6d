package org.loradist.pipelines.infer;

import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/**
 * What a partition function needs from the Spark task it runs in: its CPU share and the moment it ends (to give a
 * model back). Outside a task (a function called on the driver) there is neither.
 */
public final class SparkTasks {
  private SparkTasks() {}

  /** The task's {@code spark.task.cpus} (at least 1), or 0 outside a task. */
  public static int cpus() {
    TaskContext task = TaskContext.get();
    return task == null ? 0 : Math.max(1, task.cpus());
  }

  /** Runs {@code release} when the current task completes; outside a task, never. */
  public static void onCompletion(Runnable release) {
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) ctx -> release.run());
    }
  }
}
