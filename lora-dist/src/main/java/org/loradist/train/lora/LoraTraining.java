package org.loradist.train.lora;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.loradist.lora.PeftAdapter;
import org.loradist.lora.PeftFormat;
import org.loradist.train.AdamWConfig;
import org.loradist.train.DataParallelTrainer;
import org.loradist.train.LrSchedule;
import org.loradist.train.ReplicaFactory;
import org.loradist.train.TrainConfig;

/**
 * The library entry point for LoRA training, called by the {@code train} command and the Spark ML estimator. Trains
 * on the session's cluster with {@link DataParallelTrainer} and writes, under {@code outputDir} (a local path or any
 * Hadoop URI):
 *
 * <pre>
 * adapter/adapter_config.json, adapter/adapter_model.safetensors   the adapter in PEFT layout
 * adapter/lora_dist.json                                           labels, task, truncation, base model (ours)
 * checkpoints/step-NNNNNNNNN.ckpt                                  every segment (resumable)
 * metrics.jsonl                                                    one line per step
 * </pre>
 */
public final class LoraTraining {
  public static final String ADAPTER_DIR = "adapter";
  public static final String CHECKPOINT_DIR = "checkpoints";
  public static final String METRICS_FILE = "metrics.jsonl";
  public static final String SIDECAR_FILE = "lora_dist.json";

  private LoraTraining() {
  }

  /**
   * Classification: {@code labels} names the classes by index; {@code reference} (may be empty) feeds replay.
   */
  public static LoraTrainingResult trainClassifier(SparkSession spark, List<LabeledText> train, List<String> labels,
      List<LabeledText> reference, LoraTrainingConfig config, String outputDir) {
    return trainClassifier(spark, train, labels, reference, config, outputDir, null);
  }

  /**
   * As above; with {@code resumeFrom} (a checkpoint, or a checkpoint directory whose newest one is used) the run
   * continues from there and ends with the adapter of the uninterrupted run (see {@link DataParallelTrainer}).
   */
  public static LoraTrainingResult trainClassifier(SparkSession spark, List<LabeledText> train, List<String> labels,
      List<LabeledText> reference, LoraTrainingConfig config, String outputDir, String resumeFrom) {
    requireTask(config, LoraTask.CLASSIFICATION);
    LoraTrainingRun.checkLabels(train, labels);
    ClassificationReplicaFactory factory = new ClassificationReplicaFactory(spec(config), labels.size(),
        LoraTrainingRun.classWeights(config, train, labels.size()), LoraTrainingRun.replay(config, reference));
    return run(spark, factory, train, labels, config, outputDir, resumeFrom);
  }

  /** Retrieval: (query, passage) pairs; {@code reference} (may be empty) feeds replay. */
  public static LoraTrainingResult trainRetrieval(SparkSession spark, List<TextPair> train, List<TextPair> reference,
      LoraTrainingConfig config, String outputDir) {
    return trainRetrieval(spark, train, reference, config, outputDir, null);
  }

  /** Retrieval, resuming from {@code resumeFrom} when it is not null (as {@code trainClassifier}). */
  public static LoraTrainingResult trainRetrieval(SparkSession spark, List<TextPair> train, List<TextPair> reference,
      LoraTrainingConfig config, String outputDir, String resumeFrom) {
    requireTask(config, LoraTask.RETRIEVAL);
    RetrievalReplicaFactory factory = new RetrievalReplicaFactory(spec(config), config.scale(),
        LoraTrainingRun.replay(config, reference));
    return run(spark, factory, train, List.of(), config, outputDir, resumeFrom);
  }

  /** The trainer's settings for a run over {@code exampleCount} task examples. */
  public static TrainConfig trainConfig(LoraTrainingConfig c, int exampleCount, String outputDir) {
    int perStep = c.taskExamplesPerStep();
    if (perStep / c.accumulationSteps() < c.workers()) {
      throw new IllegalArgumentException("batch size " + c.batchSize() + " leaves " + perStep / c.accumulationSteps()
          + " task examples per micro-batch after " + c.replayPerMicroBatch() + " replay examples, fewer than the "
          + c.workers() + " workers");
    }
    long steps = c.maxSteps() > 0 ? c.maxSteps() : TrainConfig.stepsForEpochs(c.epochs(), exampleCount, perStep);
    long warmup = Math.round(c.warmupRatio() * steps);
    AdamWConfig adamW = new AdamWConfig(c.lr(), 0.9, 0.999, 1e-8, c.weightDecay(), AdamWConfig.DEFAULT_NO_DECAY);
    String root = trimSlash(outputDir);
    return new TrainConfig(c.workers(), perStep, c.accumulationSteps(), steps, c.segmentSteps(), c.seed(), adamW,
        new LrSchedule(c.decay(), warmup, 0), c.maxGradNorm(), root + "/" + CHECKPOINT_DIR, c.keepCheckpoints(),
        root + "/" + METRICS_FILE);
  }

  static EncoderLoraSpec spec(LoraTrainingConfig c) {
    return new EncoderLoraSpec(c.modelPath(), c.maxTokens(), c.lora(), c.seed(), c.baseDropout());
  }

  private static <E extends Serializable> LoraTrainingResult run(SparkSession spark, ReplicaFactory<E> factory,
      List<E> train, List<String> labels, LoraTrainingConfig config, String outputDir, String resumeFrom) {
    String taskType = config.task() == LoraTask.CLASSIFICATION ? PeftAdapter.SEQ_CLS : PeftAdapter.FEATURE_EXTRACTION;
    String base = config.modelPath().equals("default") ? PeftAdapter.DEFAULT_BASE_MODEL : config.modelPath();
    return LoraTrainingRun.run(spark, factory, train, labels, config, outputDir, resumeFrom,
        result -> PeftAdapter.of(config.lora(), taskType, base, result.state().specs(), result.state().values()),
        sidecarModel(config));
  }

  /** The sidecar's description of the encoder run (the run's own fields follow). */
  private static JsonObject sidecarModel(LoraTrainingConfig c) {
    JsonObject o = new JsonObject();
    o.addProperty("task", c.task().name().toLowerCase(java.util.Locale.ROOT));
    o.addProperty("model_path", c.modelPath());
    o.addProperty("max_tokens", c.maxTokens());
    o.addProperty("pooling", "mean");
    o.addProperty("head_input", c.task() == LoraTask.CLASSIFICATION ? "mean-pooled token states (not normalised)"
        : "none");
    return o;
  }

  /** PEFT files are written locally (safetensors needs a seekable file), then copied when the target is remote. */
  static void writeAdapter(Configuration conf, String adapterDir, PeftAdapter adapter, String sidecar) {
    try {
      URI uri = URI.create(adapterDir);
      if (uri.getScheme() == null || uri.getScheme().equals("file")) {
        Path local = uri.getScheme() == null ? Path.of(adapterDir) : Path.of(uri);
        PeftFormat.write(local, adapter);
        Files.writeString(local.resolve(SIDECAR_FILE), sidecar, StandardCharsets.UTF_8);
        return;
      }
      writeAdapterThroughTemp(conf, adapterDir, adapter, sidecar);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the adapter to " + adapterDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes the PEFT files and the sidecar into a local temporary folder, copies them into {@code adapterDir} on its
   * Hadoop file system, and deletes the temporary folder.
   */
  public static void writeAdapterThroughTemp(Configuration conf, String adapterDir, PeftAdapter adapter,
      String sidecar) throws IOException {
    Path tmp = Files.createTempDirectory("lora-adapter");
    try {
      PeftFormat.write(tmp, adapter);
      Files.writeString(tmp.resolve(SIDECAR_FILE), sidecar, StandardCharsets.UTF_8);
      org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(adapterDir);
      FileSystem fs = target.getFileSystem(conf);
      fs.mkdirs(target);
      try (Stream<Path> files = Files.list(tmp)) {
        for (Path f : files.toList()) {
          try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(target, f.getFileName().toString()), true)) {
            Files.copy(f, out);
          }
        }
      }
    } finally {
      try (Stream<Path> files = Files.list(tmp)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(tmp);
    }
  }

  /** Reads the class names an adapter directory was trained with (empty for retrieval adapters). */
  public static List<String> labels(Path adapterDir) throws IOException {
    Path f = adapterDir.resolve(SIDECAR_FILE);
    if (!Files.isRegularFile(f)) {
      return List.of();
    }
    JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(f)).getAsJsonObject();
    List<String> out = new java.util.ArrayList<>();
    if (o.has("labels")) {
      o.getAsJsonArray("labels").forEach(e -> out.add(e.getAsString()));
    }
    return out;
  }

  private static void requireTask(LoraTrainingConfig c, LoraTask task) {
    if (c.task() != task) {
      throw new IllegalArgumentException("the config is for task " + c.task() + ", this entry point trains " + task);
    }
  }

  static String trimSlash(String dir) {
    return dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
  }
}
