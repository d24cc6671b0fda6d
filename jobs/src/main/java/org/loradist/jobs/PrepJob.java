package org.loradist.jobs;


import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.cli.Command;
import org.loradist.jobs.cli.Flag;
import org.loradist.jobs.cli.JobContext;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.Settings;
import org.loradist.jobs.output.AtomicOutput;
import org.loradist.jobs.output.InputFingerprint;
import org.loradist.jobs.output.Manifest;

/** {@code lora-dist prep}: read → clean → deduplicate → chunk, into docs/, chunks/, rejects/, duplicates/. */
public final class PrepJob implements Command {

  @Override
  public String name() {
    return "prep";
  }

  @Override
  public String summary() {
    return "read, clean, deduplicate and chunk corpora into Parquet (docs, chunks, rejects, duplicates)";
  }

  @Override
  public List<Flag> flags() {
    return List.of(
        Flag.of("--input", Settings.PREP_INPUT),
        Flag.of("--output", Settings.PREP_OUTPUT),
        Flag.of("--text-field", Settings.READ_TEXT_FIELD),
        Flag.of("--id-field", Settings.READ_ID_FIELD),
        Flag.of("--title-field", Settings.READ_TITLE_FIELD),
        Flag.of("--max-tokens", Settings.CHUNK_MAX_TOKENS),
        Flag.of("--overlap-tokens", Settings.CHUNK_OVERLAP));
  }

  @Override
  public void validate(JobContext ctx) {
    JobConfig c = ctx.config();
    if (c.list(Settings.PREP_INPUT).isEmpty()) {
      throw new ConfigException("missing --input (config key 'prep.input')");
    }
    c.required(Settings.PREP_OUTPUT, "--output");
    if (c.integer(Settings.CHUNK_OVERLAP) >= c.integer(Settings.CHUNK_MAX_TOKENS) / 2) {
      throw new ConfigException("invalid value for 'prep.chunk.overlap-tokens': " + c.integer(Settings.CHUNK_OVERLAP)
          + " (expected less than half of prep.chunk.max-tokens = " + c.integer(Settings.CHUNK_MAX_TOKENS) + ")");
    }
    if (c.integer(Settings.Q_MIN_CHARS) > c.integer(Settings.Q_MAX_CHARS)) {
      throw new ConfigException("invalid values: prep.quality.min-chars > prep.quality.max-chars");
    }
  }

  @Override
  public void run(JobContext ctx) {
    JobConfig c = ctx.config();
    SparkSession spark = ctx.spark();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    List<String> inputs = c.list(Settings.PREP_INPUT);
    AtomicOutput out = AtomicOutput.begin(c.string(Settings.PREP_OUTPUT), hadoop);
    try {
      Manifest manifest = new Manifest(name(), c.effective(), InputFingerprint.of(inputs, hadoop));
      PrepResult result = new PrepPipeline(c).run(spark, inputs, out, manifest);
      out.commit(manifest.toJson());
      ctx.out().println("lora-dist prep: " + result.summary() + " -> " + out.target());
    } catch (RuntimeException e) {
      out.abort();
      throw e;
    }
  }
}
