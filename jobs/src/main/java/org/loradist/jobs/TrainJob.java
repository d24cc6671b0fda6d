package org.loradist.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.cli.Command;
import org.loradist.jobs.cli.Flag;
import org.loradist.jobs.cli.JobContext;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.Setting;
import org.loradist.jobs.config.Settings;
import org.loradist.jobs.config.TrainSettings;
import org.loradist.jobs.output.AtomicOutput;
import org.loradist.jobs.output.InputFingerprint;
import org.loradist.jobs.output.Manifest;
import org.loradist.jobs.train.EvalReport;
import org.loradist.jobs.train.TrainReport;
import org.loradist.jobs.train.TrainTask;
import org.loradist.jobs.train.TrainWorkDir;
import org.loradist.lora.LoraConfig;
import org.loradist.model.ModelArchitecture;
import org.loradist.pipelines.finetune.FinetunedAdapter;
import org.loradist.train.lora.LoraTask;
import org.loradist.train.lora.LoraTraining;
import org.loradist.train.lora.LoraTrainingConfig;
import org.loradist.train.lora.LoraTrainingResult;

/**
 * {@code lora-dist train}: LoRA finetuning, data-parallel on the Spark executors. Writes {@code adapter/} (PEFT
 * layout + lora_dist.json), {@code checkpoints/}, {@code metrics.jsonl}, {@code eval.json} (with {@code --eval}: the
 * adapter's metrics, the baseline's under "baseline", and which wins), {@code report.html}, {@code rejects/},
 * {@code _manifest.json} and {@code _SUCCESS}. An interrupted run resumes from its last checkpoint when the same
 * command runs again (see {@link TrainWorkDir} for how that and the atomic output go together). Progress (step/total,
 * loss, lr, tokens/s, ETA) is logged on the driver after every checkpoint ({@code --checkpoint-every} steps).
 */
public final class TrainJob implements Command {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Pattern CHECKPOINT_STEP = Pattern.compile("step-(\\d+)\\.ckpt$");
  /** Keys that change neither the numbers nor the data trained on: a rerun may change them and still resume. */
  private static final Set<Setting> NOT_IN_RUN_KEY = Set.of(TrainSettings.OUTPUT, TrainSettings.EVAL,
      TrainSettings.WORKERS, TrainSettings.CHECKPOINT_EVERY, TrainSettings.KEEP_CHECKPOINTS);

  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "finetune an encoder or a GPT-2 decoder with LoRA, data-parallel on Spark (adapter, checkpoints, metrics, "
        + "eval, report)";
  }

  @Override
  public List<Flag> flags() {
    return List.of(
        Flag.of("--task", TrainSettings.TASK),
        Flag.of("--train", TrainSettings.TRAIN),
        Flag.of("--eval", TrainSettings.EVAL),
        Flag.of("--output", TrainSettings.OUTPUT),
        Flag.of("--model", TrainSettings.MODEL),
        Flag.of("--epochs", TrainSettings.EPOCHS),
        Flag.of("--max-steps", TrainSettings.MAX_STEPS),
        Flag.of("--batch-size", TrainSettings.BATCH_SIZE),
        Flag.of("--lr", TrainSettings.LR),
        Flag.of("--rank", TrainSettings.RANK),
        Flag.of("--alpha", TrainSettings.ALPHA),
        Flag.of("--targets", TrainSettings.TARGETS),
        Flag.of("--workers", TrainSettings.WORKERS),
        Flag.of("--seed", Settings.SEED),
        Flag.of("--max-tokens", TrainSettings.MAX_TOKENS),
        Flag.of("--checkpoint-every", TrainSettings.CHECKPOINT_EVERY),
        Flag.of("--text-field", TrainSettings.TEXT_FIELD),
        Flag.of("--id-field", TrainSettings.ID_FIELD),
        Flag.of("--label-field", TrainSettings.LABEL_FIELD),
        Flag.of("--query-field", TrainSettings.QUERY_FIELD),
        Flag.of("--passage-field", TrainSettings.PASSAGE_FIELD),
        Flag.of("--prompt-field", TrainSettings.PROMPT_FIELD),
        Flag.of("--response-field", TrainSettings.RESPONSE_FIELD),
        Flag.of("--replay", TrainSettings.REPLAY),
        Flag.of("--replay-fraction", TrainSettings.REPLAY_FRACTION),
        Flag.of("--replay-penalty", TrainSettings.REPLAY_PENALTY),
        Flag.of("--class-weights", TrainSettings.CLASS_WEIGHTS));
  }

  @Override
  public void validate(JobContext ctx) {
    JobConfig c = ctx.config();
    TrainTask task = task(c);
    c.required(TrainSettings.TRAIN, "--train");
    c.required(TrainSettings.OUTPUT, "--output");
    boolean replay = !c.string(TrainSettings.REPLAY).isEmpty();
    double fraction = c.decimal(TrainSettings.REPLAY_FRACTION);
    if (replay != fraction > 0) {
      throw new ConfigException(replay ? "--replay needs --replay-fraction above 0 (config key 'train.replay-fraction')"
          : "--replay-fraction " + fraction + " needs reference examples: --replay PATH (config key 'train.replay')");
    }
    if (c.decimal(TrainSettings.REPLAY_PENALTY) > 0 && !replay) {
      throw new ConfigException("--replay-penalty needs --replay and --replay-fraction above 0");
    }
    LoraTrainingConfig config = trainingConfig(c, task.loraTask());
    try {
      LoraTraining.trainConfig(config, 1, "validate");
    } catch (IllegalArgumentException e) {
      throw new ConfigException("invalid training settings: " + e.getMessage());
    }
    task.validate(c);
  }

  /** The task named by train.task, for the architecture of train.model (from its config.json). */
  static TrainTask task(JobConfig c) {
    String model = c.string(TrainSettings.MODEL);
    if (!model.equals("default") && !new java.io.File(model).isDirectory()) {
      throw new ConfigException("model directory not found: " + model + " (--model, config key 'train.model')");
    }
    try {
      return TrainTask.of(c.string(TrainSettings.TASK), ModelArchitecture.of(model), model);
    } catch (IOException e) {
      throw new ConfigException(e.getMessage() + " (--model, config key 'train.model')");
    }
  }

  /** The library's training settings from the config; refused with one line when they do not fit together. */
  static LoraTrainingConfig trainingConfig(JobConfig c, LoraTask task) {
    try {
      String model = c.string(TrainSettings.MODEL);
      LoraTrainingConfig.Builder b = LoraTrainingConfig.builder(task)
          // absolute, so that the adapter's lora_dist.json names the base wherever it is read from
          .modelPath(model.equals("default") ? model : new java.io.File(model).getAbsolutePath())
          .maxTokens(c.integer(TrainSettings.MAX_TOKENS))
          .lora(LoraConfig.of(c.integer(TrainSettings.RANK), c.decimal(TrainSettings.ALPHA),
              c.decimal(TrainSettings.DROPOUT), c.list(TrainSettings.TARGETS)))
          .workers(c.integer(TrainSettings.WORKERS))
          .batchSize(c.integer(TrainSettings.BATCH_SIZE))
          .accumulationSteps(c.integer(TrainSettings.ACCUMULATION))
          .maxSteps(c.longValue(TrainSettings.MAX_STEPS))
          .epochs(c.decimal(TrainSettings.EPOCHS))
          .weightDecay(c.decimal(TrainSettings.WEIGHT_DECAY))
          .warmupRatio(c.decimal(TrainSettings.WARMUP))
          .seed(c.longValue(Settings.SEED))
          .segmentSteps(c.integer(TrainSettings.CHECKPOINT_EVERY))
          .keepCheckpoints(c.integer(TrainSettings.KEEP_CHECKPOINTS))
          .replay(c.decimal(TrainSettings.REPLAY_FRACTION), c.decimal(TrainSettings.REPLAY_PENALTY));
      if (c.decimal(TrainSettings.LR) > 0) {
        b.lr(c.decimal(TrainSettings.LR));
      }
      boolean balanced = c.string(TrainSettings.CLASS_WEIGHTS).equals("balanced");
      if (balanced && task != LoraTask.CLASSIFICATION) {
        throw new ConfigException("train.class-weights=balanced weighs classes, which only the classification task "
            + "has; the task is " + task.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
      }
      return b.balancedClassWeights(balanced).build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("invalid training settings: " + e.getMessage());
    }
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    JobConfig c = ctx.config();
    TrainTask task = task(c);
    LoraTrainingConfig config = trainingConfig(c, task.loraTask());
    SparkSession spark = ctx.spark();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    List<String> inputs = new ArrayList<>(List.of(c.string(TrainSettings.TRAIN)));
    for (Setting s : List.of(TrainSettings.EVAL, TrainSettings.REPLAY)) {
      if (!c.string(s).isEmpty()) {
        inputs.add(c.string(s));
      }
    }
    AtomicOutput out = AtomicOutput.begin(c.string(TrainSettings.OUTPUT), hadoop);
    try {
      Manifest manifest = new Manifest(name(), c.effective(), InputFingerprint.of(inputs, hadoop));
      TrainTask.Prepared data = task.prepare(spark, c);
      manifest.lap("read");

      TrainWorkDir work = TrainWorkDir.open(out.target(), runKey(c, hadoop), hadoop);
      if (work.discardedOther()) {
        ctx.out().println("lora-dist train: discarded an unfinished run with other inputs or settings");
      }
      String resume = work.latestCheckpoint();
      long resumedFrom = resume == null ? 0 : stepOf(resume);
      ctx.out().println("lora-dist train: " + c.string(TrainSettings.TASK) + ", " + data.describe() + ", "
          + config.workers() + " worker(s)" + (resume == null ? "" : "; resuming from the checkpoint of step "
          + resumedFrom));
      LoraTrainingResult result = data.train(spark, config, work.path(), resume);
      manifest.lap("train");

      FinetunedAdapter adapter = FinetunedAdapter.of(result.adapter(), task.loraTask(), config.modelPath(),
          config.maxTokens(), result.labels());
      EvalReport eval = data.evaluate(spark, adapter);
      manifest.lap("eval");

      String staging = new Path(out.part(LoraTraining.ADAPTER_DIR)).getParent().toString();
      work.copyInto(staging);
      data.rejects().toDataFrame(spark).write().mode(SaveMode.ErrorIfExists).parquet(out.part("rejects"));
      List<TrainReport.Point> loss = TrainReport.points(readLines(out.part(LoraTraining.METRICS_FILE), hadoop));
      if (eval != null) {
        write(out.part("eval.json"), JSON.writeValueAsString(eval.toJson()) + "\n", hadoop);
      }
      Map<String, Object> facts = facts(c, config, result, resumedFrom);
      write(out.part("report.html"), TrainReport.html("lora-dist train: " + c.string(TrainSettings.TASK), loss, eval,
          facts), hadoop);

      data.rejects().counts().forEach(manifest::count);
      manifest.count("steps", result.steps()).count("resumed_from_step", resumedFrom)
          .count("trainable_parameters", result.trainableParameters());
      manifest.put("task", c.string(TrainSettings.TASK)).put("labels", result.labels())
          .put("eval", eval == null ? null : eval.toJson());
      manifest.lap("write");
      out.commit(manifest.toJson());
      work.delete();
      ctx.out().println("lora-dist train: " + result.steps() + " steps, adapter -> " + out.target() + "/"
          + LoraTraining.ADAPTER_DIR + (eval == null ? "" : "; " + eval.sentence()));
    } catch (RuntimeException e) {
      out.abort();
      throw e;
    }
  }

  private static Map<String, Object> facts(JobConfig c, LoraTrainingConfig config, LoraTrainingResult result,
      long resumedFrom) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("task", c.string(TrainSettings.TASK));
    f.put("training data", c.string(TrainSettings.TRAIN));
    f.put("evaluation data", c.string(TrainSettings.EVAL).isEmpty() ? "none" : c.string(TrainSettings.EVAL));
    f.put("base model", config.modelPath());
    f.put("examples", result.taskExamples());
    if (!result.labels().isEmpty()) {
      f.put("classes", result.labels().size());
    }
    f.put("steps", result.steps());
    if (resumedFrom > 0) {
      f.put("resumed from step", resumedFrom);
    }
    f.put("batch size", config.batchSize());
    f.put("learning rate", config.lr());
    LoraConfig lora = result.adapter().config(); // as trained: a decoder reads the encoder default as c_attn
    f.put("LoRA", "r " + lora.rank() + ", alpha " + lora.alpha() + ", dropout " + lora.dropout() + ", on "
        + String.join(", ", lora.targetModules()));
    f.put("trainable parameters", result.trainableParameters());
    f.put("workers", config.workers());
    f.put("max tokens", config.maxTokens());
    f.put("seed", config.seed());
    if (result.replayPerMicroBatch() > 0) {
      f.put("replay share of each batch", String.format(Locale.ROOT, "%.3f", result.replayFraction()));
    }
    f.put("training seconds (this attempt)", String.format(Locale.ROOT, "%.1f", result.training().wallSeconds()));
    f.put("tokens/s (this attempt)", String.format(Locale.ROOT, "%.0f", result.tokensPerSecond()));
    return f;
  }

  /** A digest of the training inputs and of every setting that changes what is trained: equal keys may resume. */
  static String runKey(JobConfig c, Configuration hadoop) {
    List<String> inputs = new ArrayList<>(List.of(c.string(TrainSettings.TRAIN)));
    if (!c.string(TrainSettings.REPLAY).isEmpty()) {
      inputs.add(c.string(TrainSettings.REPLAY));
    }
    StringBuilder sb = new StringBuilder(InputFingerprint.of(inputs, hadoop)).append('\n');
    Map<String, Object> effective = c.effective();
    for (Setting s : TrainSettings.ALL) {
      if (s.key().startsWith("train.") && !NOT_IN_RUN_KEY.contains(s)) {
        sb.append(s.key()).append('=').append(effective.get(s.key())).append('\n');
      }
    }
    sb.append(Settings.SEED.key()).append('=').append(effective.get(Settings.SEED.key())).append('\n');
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return "sha256:" + HexFormat.of().formatHex(md.digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long stepOf(String checkpoint) {
    Matcher m = CHECKPOINT_STEP.matcher(checkpoint);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static List<String> readLines(String path, Configuration conf) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    if (!fs.exists(p)) {
      return List.of();
    }
    try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(p), StandardCharsets.UTF_8))) {
      return in.lines().toList();
    }
  }

  private static void write(String path, String content, Configuration conf) {
    Path p = new Path(path);
    try (OutputStream o = p.getFileSystem(conf).create(p, false)) {
      o.write(content.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }
}
