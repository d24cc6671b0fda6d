package org.loradist.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;

/**
 * Where a Spark application's time goes, job by job: wall time, stages actually run (skipped ones excluded) and
 * tasks, grouped by the job description the code set ({@code SparkContext.setJobDescription}), else the call site.
 * Registered on the SparkContext before the work; read after it.
 */
final class JobTimeline extends SparkListener {
  /** One finished job. */
  record Job(int id, String step, String callSite, long startMs, long endMs, int stagesRun, int tasks) {
    double seconds() {
      return (endMs - startMs) / 1e3;
    }
  }

  private final Map<Integer, long[]> starts = new ConcurrentHashMap<>();
  private final Map<Integer, String[]> labels = new ConcurrentHashMap<>();
  private final Map<Integer, Integer> stageToJob = new ConcurrentHashMap<>();
  private final Map<Integer, int[]> ran = new ConcurrentHashMap<>();
  private final List<Job> jobs = java.util.Collections.synchronizedList(new ArrayList<>());

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    java.util.Properties p = start.properties();
    String description = p == null ? null : p.getProperty("spark.job.description");
    String site = p == null ? null : p.getProperty("callSite.short");
    starts.put(start.jobId(), new long[] {start.time()});
    labels.put(start.jobId(), new String[] {description == null ? "(none)" : description, String.valueOf(site)});
    ran.put(start.jobId(), new int[2]);
    scala.collection.Iterator<Object> ids = start.stageIds().iterator();
    while (ids.hasNext()) {
      stageToJob.put((Integer) ids.next(), start.jobId());
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted done) {
    Integer job = stageToJob.get(done.stageInfo().stageId());
    if (job != null) {
      int[] counts = ran.get(job);
      counts[0]++;
      counts[1] += done.stageInfo().numTasks();
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd end) {
    String[] l = labels.get(end.jobId());
    int[] counts = ran.get(end.jobId());
    jobs.add(new Job(end.jobId(), l[0], l[1], starts.get(end.jobId())[0], end.time(), counts[0], counts[1]));
  }

  List<Job> jobs() {
    synchronized (jobs) {
      return new ArrayList<>(jobs);
    }
  }

  /** Per step: [jobs, stages run, tasks, seconds of job wall time]. */
  Map<String, double[]> byStep() {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (Job j : jobs()) {
      double[] s = out.computeIfAbsent(j.step(), k -> new double[4]);
      s[0]++;
      s[1] += j.stagesRun();
      s[2] += j.tasks();
      s[3] += j.seconds();
    }
    return out;
  }
}
