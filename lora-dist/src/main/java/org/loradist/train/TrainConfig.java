package org.loradist.train;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One data-parallel run.
 *
 * @param workers W: barrier tasks, one replica each (needs W free task slots)
 * @param globalBatchSize B: examples per optimizer step across all workers and micro-batches
 * @param accumulationSteps k: micro-batches per step (B/k examples each, split over the workers); gradients are
 *     summed over them before the update. In-batch negatives span one micro-batch
 * @param totalSteps optimizer steps of the whole run (the LR schedule's horizon)
 * @param segmentSteps K: steps per Spark barrier stage; each segment ends with a checkpoint
 * @param seed shuffling and per-example randomness
 * @param maxGradNorm global-norm clipping threshold, 0 for none
 * @param checkpointDir any Hadoop path (file:, hdfs:, s3a:, ...); checkpoints are {@code step-NNNNNNNNN.ckpt}
 * @param keepCheckpoints how many of the newest checkpoints to keep, 0 for all
 * @param metricsPath Hadoop path of {@code metrics.jsonl} written by the driver, or null for none
 */
public record TrainConfig(int workers, int globalBatchSize, int accumulationSteps, long totalSteps,
    int segmentSteps, long seed, AdamWConfig optimizer, LrSchedule schedule, double maxGradNorm,
    String checkpointDir, int keepCheckpoints, String metricsPath) implements Serializable {

  /**
   * Default K. Measured on local[2] (TrainerOverheadBench, 2 workers): a step inside the barrier loop costs one
   * allGather round trip (~1-3 ms for 0.3M floats' gradients), while each segment pays a barrier-stage launch plus
   * a checkpoint write (~40-80 ms). At K = 50 the launch is ~1-2 ms a step even for a trivial model, well under a
   * BERT step (~1 s on 2 cores), while a failure loses at most 50 steps and the driver reports and checkpoints
   * about once a minute at BERT speed.
   */
  public static final int DEFAULT_SEGMENT_STEPS = 50;

  public TrainConfig {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    if (accumulationSteps < 1 || globalBatchSize < 1 || globalBatchSize % accumulationSteps != 0) {
      throw new IllegalArgumentException("batch size " + globalBatchSize + " must be a positive multiple of "
          + "accumulation steps " + accumulationSteps);
    }
    if (globalBatchSize / accumulationSteps < workers) {
      throw new IllegalArgumentException("each micro-batch (" + globalBatchSize / accumulationSteps
          + " examples) needs at least one example per worker (" + workers + ")");
    }
    if (totalSteps < 1 || segmentSteps < 1) {
      throw new IllegalArgumentException("total steps and segment steps must be >= 1, got " + totalSteps + ", "
          + segmentSteps);
    }
    if (optimizer == null || schedule == null) {
      throw new IllegalArgumentException("optimizer and schedule must be set");
    }
    if (!(maxGradNorm >= 0)) {
      throw new IllegalArgumentException("maxGradNorm must be >= 0 (0 = off), got " + maxGradNorm);
    }
    if (checkpointDir == null || checkpointDir.isBlank()) {
      throw new IllegalArgumentException("checkpointDir is required: segments restart from checkpoints");
    }
    if (keepCheckpoints < 0) {
      throw new IllegalArgumentException("keepCheckpoints must be >= 0 (0 = all), got " + keepCheckpoints);
    }
  }

  /** AdamW(lr), constant LR, no clipping, no accumulation, K = {@link #DEFAULT_SEGMENT_STEPS}, keep 2. */
  public static TrainConfig of(int workers, int globalBatchSize, long totalSteps, double lr, String checkpointDir) {
    return new TrainConfig(workers, globalBatchSize, 1, totalSteps, DEFAULT_SEGMENT_STEPS, 42, AdamWConfig.of(lr),
        LrSchedule.constant(), 0, checkpointDir, 2, null);
  }

  /** Steps that cover {@code epochs} passes over {@code exampleCount} examples (the last batch may wrap). */
  public static long stepsForEpochs(double epochs, int exampleCount, int globalBatchSize) {
    return Math.max(1, (long) Math.ceil(epochs * exampleCount / globalBatchSize));
  }

  public int microBatchSize() {
    return globalBatchSize / accumulationSteps;
  }

  public TrainConfig withWorkers(int w) {
    return new TrainConfig(w, globalBatchSize, accumulationSteps, totalSteps, segmentSteps, seed, optimizer,
        schedule, maxGradNorm, checkpointDir, keepCheckpoints, metricsPath);
  }

  public TrainConfig withBatch(int batch, int accumulation) {
    return new TrainConfig(workers, batch, accumulation, totalSteps, segmentSteps, seed, optimizer, schedule,
        maxGradNorm, checkpointDir, keepCheckpoints, metricsPath);
  }

  public TrainConfig withSegmentSteps(int k) {
    return new TrainConfig(workers, globalBatchSize, accumulationSteps, totalSteps, k, seed, optimizer, schedule,
        maxGradNorm, checkpointDir, keepCheckpoints, metricsPath);
  }

  public TrainConfig withSeed(long s) {
    return new TrainConfig(workers, globalBatchSize, accumulationSteps, totalSteps, segmentSteps, s, optimizer,
        schedule, maxGradNorm, checkpointDir, keepCheckpoints, metricsPath);
  }

  public TrainConfig withOptimizer(AdamWConfig o, LrSchedule s) {
    return new TrainConfig(workers, globalBatchSize, accumulationSteps, totalSteps, segmentSteps, seed, o, s,
        maxGradNorm, checkpointDir, keepCheckpoints, metricsPath);
  }

  public TrainConfig withMaxGradNorm(double norm) {
    return new TrainConfig(workers, globalBatchSize, accumulationSteps, totalSteps, segmentSteps, seed, optimizer,
        schedule, norm, checkpointDir, keepCheckpoints, metricsPath);
  }

  public TrainConfig withCheckpoints(String dir, int keep) {
    return new TrainConfig(workers, globalBatchSize, accumulationSteps, totalSteps, segmentSteps, seed, optimizer,
        schedule, maxGradNorm, dir, keep, metricsPath);
  }

  public TrainConfig withMetricsPath(String path) {
    return new TrainConfig(workers, globalBatchSize, accumulationSteps, totalSteps, segmentSteps, seed, optimizer,
        schedule, maxGradNorm, checkpointDir, keepCheckpoints, path);
  }

  /**
   * The settings that determine the numbers (stored in checkpoints and compared on resume). Workers and K are
   * left out: a run may resume with another worker count or segment length.
   */
  public Map<String, String> numericSettings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("global_batch_size", Integer.toString(globalBatchSize));
    m.put("accumulation_steps", Integer.toString(accumulationSteps));
    m.put("total_steps", Long.toString(totalSteps));
    m.put("seed", Long.toString(seed));
    m.put("lr", Double.toString(optimizer.lr()));
    m.put("beta1", Double.toString(optimizer.beta1()));
    m.put("beta2", Double.toString(optimizer.beta2()));
    m.put("eps", Double.toString(optimizer.eps()));
    m.put("weight_decay", Double.toString(optimizer.weightDecay()));
    m.put("no_decay_pattern", optimizer.noDecayPattern());
    m.put("schedule", schedule.decay().name());
    m.put("warmup_steps", Long.toString(schedule.warmupSteps()));
    m.put("min_lr_ratio", Double.toString(schedule.minRatio()));
    m.put("max_grad_norm", Double.toString(maxGradNorm));
    return m;
  }
}
