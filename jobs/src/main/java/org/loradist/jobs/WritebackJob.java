package org.loradist.jobs;

import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.array;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.loradist.jobs.cli.Command;
import org.loradist.jobs.cli.Flag;
import org.loradist.jobs.cli.JobContext;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.output.AtomicOutput;
import org.loradist.jobs.output.InputFingerprint;
import org.loradist.jobs.output.Manifest;
import org.loradist.jobs.output.OutputGuard;
import org.loradist.lora.AdaptedModel;
import org.loradist.pipelines.adapt.AdaptedClassifier;
import org.loradist.pipelines.adapt.AdaptedEmbedder;
import org.loradist.pipelines.adapt.AdaptedModels;
import org.loradist.pipelines.adapt.AdapterInfo;
import org.loradist.pipelines.adapt.AdapterSpec;
import org.loradist.pipelines.adapt.AdapterStage;

import static org.loradist.jobs.config.WritebackSettings.WB_ADAPTER;
import static org.loradist.jobs.config.WritebackSettings.WB_CHUNKS;
import static org.loradist.jobs.config.WritebackSettings.WB_MAX_TOKENS;
import static org.loradist.jobs.config.WritebackSettings.WB_MERGE;
import static org.loradist.jobs.config.WritebackSettings.WB_MODEL;
import static org.loradist.jobs.config.WritebackSettings.WB_OUTPUT;

/**
 * {@code lora-dist writeback}: applies a trained adapter to chunks. A retrieval adapter re-embeds them into a new
 * {@code embeddings} version whose {@code model} column names the base model and {@code adapter} column the adapter
 * ({@link AdapterInfo#id()}: its directory and a content hash); a classification adapter writes {@code predictions}
 * (label, its probability, every class's probability). Blank chunks become rejects. An existing complete output is
 * never replaced: the same inputs and settings skip, anything else is refused.
 */
public final class WritebackJob implements Command {
  static final String EMPTY_CHUNK = "writeback:empty_text";

  @Override
  public String name() {
    return "writeback";
  }

  @Override
  public String summary() {
    return "apply a trained adapter to chunks: re-embed (retrieval) or predict labels (classification)";
  }

  @Override
  public List<Flag> flags() {
    return List.of(Flag.of("--chunks", WB_CHUNKS), Flag.of("--adapter", WB_ADAPTER), Flag.of("--output", WB_OUTPUT),
        Flag.of("--model", WB_MODEL), Flag.of("--merge", WB_MERGE), Flag.of("--max-tokens", WB_MAX_TOKENS));
  }

  @Override
  public void validate(JobContext ctx) {
    JobConfig c = ctx.config();
    c.required(WB_CHUNKS, "--chunks");
    c.required(WB_OUTPUT, "--output");
    c.required(WB_ADAPTER, "--adapter"); // read at run: in a scheduled pipeline, train has not written it yet
  }

  /** The adapter and the base model it runs on, checked against each other: one line when they do not fit. */
  record Resolved(AdapterInfo adapter, String modelPath, String modelColumn) {}

  static Resolved resolve(JobConfig c) {
    String dir = c.required(WB_ADAPTER, "--adapter");
    AdapterInfo info;
    try {
      info = AdapterInfo.read(dir);
    } catch (IOException e) {
      throw new ConfigException(e.getMessage());
    }
    String given = c.string(WB_MODEL);
    String trainedOn = ModelNames.column(info.modelPath());
    if (!given.isBlank() && !ModelNames.column(given).equals(trainedOn)) {
      throw new ConfigException("adapter " + dir + " was trained on base model '" + trainedOn + "', not '"
          + ModelNames.column(given) + "' (writeback.model); an adapter only fits its own base");
    }
    String modelPath = given.isBlank() ? info.modelPath() : given;
    if (!modelPath.equals("default") && !new java.io.File(modelPath).isDirectory()) {
      throw new ConfigException("base model directory of adapter " + dir + " not found: " + modelPath);
    }
    return new Resolved(info, modelPath, trainedOn);
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    JobConfig c = ctx.config();
    Resolved r = resolve(c); // before Spark starts: a missing or foreign adapter is one line, at once
    SparkSession spark = ctx.spark();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    AdapterInfo info = r.adapter();
    String chunksPath = EmbedJob.chunksFolder(c.string(WB_CHUNKS), hadoop);
    String target = c.string(WB_OUTPUT);
    AdapterSpec spec = new AdapterSpec(r.modelPath(), info.dir(), c.integer(WB_MAX_TOKENS), c.bool(WB_MERGE));
    Map<String, Object> shaping = new LinkedHashMap<>();
    shaping.put("task", info.task());
    shaping.put("model", r.modelColumn());
    shaping.put("adapter", info.id());
    shaping.put("merge", spec.merge());
    shaping.put("max_tokens", spec.maxTokens());
    String inputs = InputFingerprint.of(List.of(chunksPath), hadoop);
    String runId = OutputGuard.fingerprint(inputs, shaping);
    if (OutputGuard.alreadyComplete(name(), target, runId, hadoop)) {
      ctx.out().println("lora-dist writeback: " + target + " is already complete for these inputs and settings "
          + "(skipped)");
      return;
    }
    // Fail fast on the driver, naming the file at fault, before any task loads the model (adapter shapes vs base).
    AdaptedModel probe = AdaptedModels.borrow(spec);
    AdaptedModels.release(spec, probe);
    if (info.classifies() && (!probe.hasHead() || probe.classes() != info.labels().size())) {
      throw new ConfigException("adapter " + info.dir() + " names " + info.labels().size() + " labels but its "
          + "classifier head has " + (probe.hasHead() ? probe.classes() : 0) + " outputs");
    }

    AtomicOutput out = AtomicOutput.begin(target, hadoop);
    try {
      Manifest manifest = new Manifest(name(), c.effective(), inputs);
      Dataset<Row> chunks = spark.read().parquet(chunksPath).select("chunk_id", "doc_id", "text")
          .repartition(spark.sparkContext().defaultParallelism());
      AdapterStage stage = info.classifies() ? new AdaptedClassifier() : new AdaptedEmbedder();
      stage.setInputCol("text").setOutputCol("out").setModelPath(spec.modelPath()).setAdapterPath(spec.adapterDir())
          .setMaxTokens(spec.maxTokens()).setMerge(spec.merge());
      Dataset<Row> done = stage.transform(chunks).persist(StorageLevel.MEMORY_AND_DISK());
      String part = info.classifies() ? "predictions" : "embeddings";
      try {
        Dataset<Row> ok = done.filter(col("out").isNotNull());
        (info.classifies() ? predictions(ok, info, r.modelColumn()) : embeddings(ok, info, r.modelColumn()))
            .write().mode(SaveMode.ErrorIfExists).parquet(out.part(part));
        done.filter(col("out").isNull())
            .select(col("chunk_id").as("source"), lit(null).cast(DataTypes.LongType).as("position"),
                lit("writeback").as("stage"), lit(EMPTY_CHUNK).as("reason"), col("text").as("sample"))
            .write().mode(SaveMode.ErrorIfExists).parquet(out.part("rejects"));
        manifest.lap(part);
        long in = done.count();
        long written = spark.read().parquet(out.part(part)).count();
        long rejected = spark.read().parquet(out.part("rejects")).count();
        if (in != written + rejected) {
          throw new IllegalStateException("writeback counts do not add up: " + in + " chunks, " + written + " "
              + part + ", " + rejected + " rejected");
        }
        manifest.count("chunks_in", in).count(part, written).count("rejected", rejected)
            .put("task", info.task()).put("model", r.modelColumn()).put("adapter", info.id())
            .put("labels", info.labels()).put(OutputGuard.FIELD, runId);
        out.commit(manifest.toJson());
        ctx.out().println("lora-dist writeback: " + written + " " + part + " (" + info.task() + " adapter "
            + info.dir() + ", base " + r.modelColumn() + (spec.merge() ? ", merged" : "") + "), " + rejected
            + " rejected -> " + out.target());
      } finally {
        done.unpersist();
      }
    } catch (RuntimeException e) {
      out.abort();
      throw e;
    }
  }

  private static Dataset<Row> embeddings(Dataset<Row> ok, AdapterInfo info, String model) {
    return ok.select(col("chunk_id"), col("out").as("embedding"), lit(model).as("model"),
        lit(info.id()).as("adapter"));
  }

  private static Dataset<Row> predictions(Dataset<Row> ok, AdapterInfo info, String model) {
    Column labels = array(info.labels().stream().map(l -> lit(l)).toArray(Column[]::new));
    Column best = array_position(col("out"), array_max(col("out")));
    return ok.select(col("chunk_id"), col("doc_id"), element_at(labels, best.cast(DataTypes.IntegerType)).as("label"),
        array_max(col("out")).as("probability"), map_from_arrays(labels, col("out")).as("probabilities"),
        lit(model).as("model"), lit(info.id()).as("adapter"));
  }
}
