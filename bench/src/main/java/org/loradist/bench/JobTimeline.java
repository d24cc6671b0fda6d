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
    if (site == null) {
      site = projectFrame(start);
    }
    starts.put(start.jobId(), new long[] {start.time()});
    labels.put(start.jobId(), new String[] {description == null ? "(none)" : description, String.valueOf(site)});
    ran.put(start.jobId(), new int[2]);
    scala.collection.Iterator<Object> ids = start.stageIds().iterator();
    while (ids.hasNext()) {
      stageToJob.put((Integer) ids.next(), start.jobId());
    }
  }

  /**
   * The two innermost lora-dist frames of the job's last stage's long call site (where its RDD was made), e.g.
   * "ConnectedComponents.java:197 < NearDuplicates.java:62"; null when none.
   */
  private static String projectFrame(SparkListenerJobStart start) {
    scala.collection.Iterator<org.apache.spark.scheduler.StageInfo> stages = start.stageInfos().iterator();
    String details = null;
    while (stages.hasNext()) {
      details = stages.next().details();
    }
    if (details == null) {
      return null;
    }
    StringBuilder frames = new StringBuilder();
    int found = 0;
    for (String line : details.split("\n")) {
      if (line.contains("org.loradist.") && !line.contains("org.loradist.bench.") && found++ < 2) {
        String frame = line.trim();
        frames.append(frames.length() == 0 ? "" : " < ")
            .append(frame.substring(frame.indexOf('(') + 1, frame.length() - 1));
      }
    }
    return frames.length() == 0 ? null : frames.toString();
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
