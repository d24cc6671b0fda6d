package org.loradist.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
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
import org.loradist.jobs.config.Settings;
import org.loradist.jobs.output.AtomicOutput;
import org.loradist.jobs.output.InputFingerprint;
import org.loradist.jobs.output.Manifest;
import org.loradist.model.DefaultModel;
import org.loradist.model.Precision;
import org.loradist.pipelines.embed.Embedder;
import org.loradist.weights.ModelCache;

/** {@code lora-dist embed}: chunks → embeddings (chunk_id, embedding, model, adapter), blank chunks → rejects. */
public final class EmbedJob implements Command {
  static final String EMPTY_CHUNK = "embed:empty_text";

  @Override
  public String name() {
    return "embed";
  }

  @Override
  public String summary() {
    return "embed chunks with a transformer encoder into Parquet (chunk_id, embedding, model, adapter)";
  }

  @Override
  public List<Flag> flags() {
    return List.of(
        Flag.of("--chunks", Settings.EMBED_CHUNKS),
        Flag.of("--output", Settings.EMBED_OUTPUT),
        Flag.of("--model", Settings.EMBED_MODEL),
        Flag.of("--max-tokens", Settings.EMBED_MAX_TOKENS),
        Flag.of("--batch-tokens", Settings.EMBED_BATCH_TOKENS),
        Flag.of("--precision", Settings.EMBED_PRECISION));
  }

  @Override
  public void validate(JobContext ctx) {
    JobConfig c = ctx.config();
    c.required(Settings.EMBED_CHUNKS, "--chunks");
    c.required(Settings.EMBED_OUTPUT, "--output");
    Precision p = Precision.valueOf(c.string(Settings.EMBED_PRECISION).toUpperCase());
    if (p.unavailableReason() != null) {
      throw new ConfigException("invalid value for 'embed.precision': " + c.string(Settings.EMBED_PRECISION)
          + " (" + p.unavailableReason() + ")");
    }
    String model = c.string(Settings.EMBED_MODEL);
    if (!model.equals("default") && !new java.io.File(model).isDirectory()) {
      throw new ConfigException("model directory not found: " + model + " (config key 'embed.model')");
    }
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    JobConfig c = ctx.config();
    SparkSession spark = ctx.spark();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    String chunksPath = chunksFolder(c.string(Settings.EMBED_CHUNKS), hadoop);
    String model = c.string(Settings.EMBED_MODEL);
    // Fail fast on the driver with the file at fault, before any task loads the model.
    String loadedId = ModelCache.get(model).id();
    String modelId = model.equals("default") ? DefaultModel.NAME : loadedId;
    AtomicOutput out = AtomicOutput.begin(c.string(Settings.EMBED_OUTPUT), hadoop);
    try {
      Manifest manifest = new Manifest(name(), c.effective(), InputFingerprint.of(List.of(chunksPath), hadoop));
      // prep writes few chunk files; spread them so every executor embeds a share
      Dataset<Row> chunks = spark.read().parquet(chunksPath).select("chunk_id", "text")
          .repartition(spark.sparkContext().defaultParallelism());
      Dataset<Row> embedded = new Embedder()
          .setInputCol("text").setOutputCol("embedding").setModelPath(model)
          .setMaxTokens(c.integer(Settings.EMBED_MAX_TOKENS)).setBatchTokens(c.integer(Settings.EMBED_BATCH_TOKENS))
          .setPrecision(c.string(Settings.EMBED_PRECISION))
          .transform(chunks)
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        embedded.filter(col("embedding").isNotNull())
            .select(col("chunk_id"), col("embedding"), lit(modelId).as("model"),
                lit(null).cast(DataTypes.StringType).as("adapter"))
            .write().mode(SaveMode.ErrorIfExists).parquet(out.part("embeddings"));
        embedded.filter(col("embedding").isNull())
            .select(col("chunk_id").as("source"), lit(null).cast(DataTypes.LongType).as("position"),
                lit("embed").as("stage"), lit(EMPTY_CHUNK).as("reason"), col("text").as("sample"))
            .write().mode(SaveMode.ErrorIfExists).parquet(out.part("rejects"));
        manifest.lap("embed");
        long in = embedded.count();
        long written = spark.read().parquet(out.part("embeddings")).count();
        long rejected = spark.read().parquet(out.part("rejects")).count();
        if (in != written + rejected) {
          throw new IllegalStateException("embed counts do not add up: " + in + " chunks, " + written
              + " embeddings, " + rejected + " rejected");
        }
        manifest.count("chunks_in", in).count("embeddings", written).count("rejected", rejected)
            .put("model", modelId);
        out.commit(manifest.toJson());
        ctx.out().println("lora-dist embed: " + written + " embeddings (" + modelId + "), " + rejected
            + " rejected -> " + out.target());
      } finally {
        embedded.unpersist();
      }
    } catch (RuntimeException e) {
      out.abort();
      throw e;
    }
  }

  /** A prep output folder holds chunks/; a chunks folder is taken as it is. */
  static String chunksFolder(String given, Configuration hadoop) throws java.io.IOException {
    Path p = new Path(given);
    var fs = p.getFileSystem(hadoop);
    if (!fs.exists(p)) {
      throw new ConfigException("chunks folder not found: " + given);
    }
    Path nested = new Path(p, "chunks");
    return fs.exists(nested) ? nested.toString() : p.toString();
  }
}
