package org.loradist.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.loradist.jobs.config.WritebackSettings.Q_ADAPTER;
import static org.loradist.jobs.config.WritebackSettings.Q_EMBEDDINGS;
import static org.loradist.jobs.config.WritebackSettings.Q_ID_FIELD;
import static org.loradist.jobs.config.WritebackSettings.Q_K;
import static org.loradist.jobs.config.WritebackSettings.Q_MAX_CHARS;
import static org.loradist.jobs.config.WritebackSettings.Q_MAX_TOKENS;
import static org.loradist.jobs.config.WritebackSettings.Q_MODEL;
import static org.loradist.jobs.config.WritebackSettings.Q_OUTPUT;
import static org.loradist.jobs.config.WritebackSettings.Q_QUERIES;
import static org.loradist.jobs.config.WritebackSettings.Q_QUERY_FIELD;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.loradist.jobs.cli.Command;
import org.loradist.jobs.cli.Flag;
import org.loradist.jobs.cli.JobContext;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.output.AtomicOutput;
import org.loradist.jobs.output.InputFingerprint;
import org.loradist.jobs.output.Manifest;
import org.loradist.jobs.output.OutputGuard;
import org.loradist.pipelines.adapt.AdaptedEmbedder;
import org.loradist.pipelines.adapt.AdapterInfo;
import org.loradist.pipelines.retrieve.ExactSearch;
import org.loradist.weights.ModelCache;

/**
 * {@code lora-dist query}: top-k chunks per query by exact inner product, for many queries against a corpus that need
 * not fit on one machine ({@link ExactSearch}: broadcast queries, per-partition top-k, global merge). Queries are
 * embedded with the model and adapter named in the embeddings' own {@code model}/{@code adapter} columns; a
 * {@code --model} or {@code --adapter} that disagrees, or a model of another dimension, is refused with one line.
 * Queries: blank text is rejected ({@code empty_query}), as are a missing id ({@code missing_id}), a repeated id
 * ({@code duplicate_id}, the first occurrence is kept) and a text above {@code query.max-chars}
 * ({@code query_too_long}); a text above {@code query.max-tokens} tokens is truncated to it, as the encoder would, and
 * counted ({@code truncated} in the manifest).
 */
public final class QueryJob implements Command {
  static final String EMPTY = "empty_query";
  static final String MISSING_ID = "missing_id";
  static final String DUPLICATE_ID = "duplicate_id";
  static final String TOO_LONG = "query_too_long";
  static final String MALFORMED = "malformed_record";

  @Override
  public String name() {
    return "query";
  }

  @Override
  public String summary() {
    return "top-k chunks per query over an embeddings folder (Spark; queries embedded with the same model+adapter)";
  }

  @Override
  public List<Flag> flags() {
    return List.of(Flag.of("--embeddings", Q_EMBEDDINGS), Flag.of("--queries", Q_QUERIES), Flag.of("--k", Q_K),
        Flag.of("--output", Q_OUTPUT), Flag.of("--id-field", Q_ID_FIELD), Flag.of("--query-field", Q_QUERY_FIELD),
        Flag.of("--model", Q_MODEL), Flag.of("--adapter", Q_ADAPTER), Flag.of("--max-tokens", Q_MAX_TOKENS),
        Flag.of("--max-chars", Q_MAX_CHARS));
  }

  @Override
  public void validate(JobContext ctx) {
    JobConfig c = ctx.config();
    c.required(Q_EMBEDDINGS, "--embeddings");
    c.required(Q_QUERIES, "--queries");
    c.required(Q_OUTPUT, "--output");
  }

  /** The encoder the embeddings were made with, as the query side must use it. */
  record Encoder(String modelColumn, String modelPath, AdapterInfo adapter, int dimension) {
    String adapterId() {
      return adapter == null ? null : adapter.id();
    }
  }

  /**
   * Reads the embeddings' model/adapter/dimension (one small aggregate; the vectors stay where they are) and checks
   * them against what the user asked for.
   */
  static Encoder encoderOf(Dataset<Row> embeddings, String where, String wantModel, String wantAdapter) {
    for (String column : List.of("chunk_id", "embedding", "model", "adapter")) {
      if (!List.of(embeddings.columns()).contains(column)) {
        throw new ConfigException(where + " is not an embeddings folder (no column '" + column + "')");
      }
    }
    List<Row> kinds = embeddings.groupBy(col("model"), col("adapter"), size(col("embedding")).as("dim")).count()
        .limit(5).collectAsList();
    if (kinds.isEmpty()) {
      throw new ConfigException("embeddings folder " + where + " is empty");
    }
    if (kinds.size() > 1) {
      throw new ConfigException("embeddings folder " + where + " mixes models, adapters or dimensions: "
          + kinds.stream().map(r -> r.get(0) + "/" + r.get(1) + "/" + r.get(2)).toList());
    }
    Row k = kinds.get(0);
    String model = k.getString(0);
    String adapterId = k.isNullAt(1) ? null : k.getString(1);
    int dim = k.getInt(2);
    if (!wantModel.isBlank() && !ModelNames.column(wantModel).equals(model)) {
      throw new ConfigException("the embeddings in " + where + " were made by model '" + model + "', not '"
          + ModelNames.column(wantModel) + "'; queries must be embedded with the same model");
    }
    AdapterInfo adapter = null;
    if (!wantAdapter.isBlank()) {
      adapter = readAdapter(wantAdapter);
      if (adapterId == null || !AdapterInfo.hashOf(adapterId).equals(adapter.contentHash())) {
        throw new ConfigException("the embeddings in " + where + " were made with "
            + (adapterId == null ? "no adapter" : "adapter " + adapterId) + ", not with adapter " + adapter.id()
            + "; queries must be embedded with the same adapter");
      }
    } else if (adapterId != null) {
      adapter = readAdapter(AdapterInfo.dirOf(adapterId));
      if (!AdapterInfo.hashOf(adapterId).equals(adapter.contentHash())) {
        throw new ConfigException("adapter " + adapter.dir() + " changed since it made the embeddings in " + where
            + " (" + adapterId + ", now " + adapter.contentHash() + "); re-run writeback or give --adapter");
      }
    }
    if (adapter != null && !ModelNames.column(adapter.modelPath()).equals(model)) {
      throw new ConfigException("adapter " + adapter.dir() + " was trained on '" + ModelNames.column(adapter.modelPath())
          + "', the embeddings in " + where + " were made by '" + model + "'");
    }
    String modelPath = ModelNames.path(model);
    int modelDim;
    try {
      modelDim = ModelCache.get(modelPath).config().hiddenSize();
    } catch (IOException e) {
      throw new ConfigException("cannot load model '" + model + "' named by the embeddings in " + where + ": "
          + e.getMessage());
    }
    if (modelDim != dim) {
      throw new ConfigException("the embeddings in " + where + " have dimension " + dim + ", model '" + model
          + "' embeds in " + modelDim + "; they were not made by this model");
    }
    return new Encoder(model, modelPath, adapter, dim);
  }

  private static AdapterInfo readAdapter(String dir) {
    try {
      return AdapterInfo.read(dir);
    } catch (IOException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /** Valid queries (query_id, text) and the rejects of a queries file. */
  record Queries(Dataset<Row> valid, Dataset<Row> rejects) {}

  static Queries readQueries(SparkSession spark, String path, String idField, String textField, int maxChars)
      throws IOException {
    Dataset<Row> raw = InputTables.read(spark, path, "queries file", List.of(idField, textField));
    boolean hasCorrupt = List.of(raw.columns()).contains("_corrupt_record");
    if (hasCorrupt) {
      raw = raw.cache(); // Spark refuses to filter raw JSON on the corrupt-record column alone
    }
    Column id = col(idField).cast(DataTypes.StringType);
    Column text = col(textField).cast(DataTypes.StringType);
    Column reason = when(hasCorrupt ? col("_corrupt_record").isNotNull() : lit(false), lit(MALFORMED))
        .when(id.isNull().or(trim(id).equalTo("")), lit(MISSING_ID))
        .when(text.isNull().or(trim(text).equalTo("")), lit(EMPTY))
        .when(length(text).gt(maxChars), lit(TOO_LONG));
    Dataset<Row> tagged = raw.select(id.as("query_id"), text.as("text"),
            (hasCorrupt ? col("_corrupt_record") : lit(null).cast(DataTypes.StringType)).as("raw"),
            reason.as("reason"))
        .withColumn("order", monotonically_increasing_id());
    Dataset<Row> firstOfId = tagged.filter(col("reason").isNull())
        .withColumn("nth", row_number().over(Window.partitionBy("query_id").orderBy("order")));
    Dataset<Row> valid = firstOfId.filter(col("nth").equalTo(1)).select("query_id", "text");
    Dataset<Row> rejects = tagged.filter(col("reason").isNotNull())
        .select(col("query_id"), col("reason"), when(col("raw").isNotNull(), col("raw")).otherwise(col("text"))
            .as("sample"))
        .unionByName(firstOfId.filter(col("nth").gt(1))
            .select(col("query_id"), lit(DUPLICATE_ID).as("reason"), col("text").as("sample")))
        .select(when(col("query_id").isNull(), lit(path)).otherwise(col("query_id")).as("source"),
            lit(null).cast(DataTypes.LongType).as("position"), lit("query").as("stage"), col("reason"),
            substring(col("sample"), 1, 200).as("sample"));
    return new Queries(valid, rejects);
  }

  /** Query ids and vectors (collected: the query side is small), and how many were truncated. */
  record Embedded(List<String> ids, float[][] vectors, long truncated) {}

  static Embedded embedQueries(Dataset<Row> valid, Encoder enc, int maxTokens) {
    Dataset<Row> embedded = new AdaptedEmbedder().setInputCol("text").setOutputCol("embedding")
        .setTruncatedCol("truncated").setModelPath(enc.modelPath())
        .setAdapterPath(enc.adapter() == null ? null : enc.adapter().dir()).setMaxTokens(maxTokens)
        .transform(valid);
    List<Row> rows = embedded.select("query_id", "embedding", "truncated").orderBy("query_id").collectAsList();
    List<String> ids = new ArrayList<>(rows.size());
    float[][] vectors = new float[rows.size()][];
    long truncated = 0;
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      ids.add(r.getString(0));
      List<Float> v = r.getList(1);
      vectors[i] = new float[v.size()];
      for (int j = 0; j < v.size(); j++) {
        vectors[i][j] = v.get(j);
      }
      truncated += r.getBoolean(2) ? 1 : 0;
    }
    return new Embedded(ids, vectors, truncated);
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    JobConfig c = ctx.config();
    SparkSession spark = ctx.spark();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    String embeddingsPath = InputTables.part(spark, c.string(Q_EMBEDDINGS), "embeddings", "embeddings folder");
    String queriesPath = c.string(Q_QUERIES);
    Dataset<Row> embeddings = spark.read().parquet(embeddingsPath);
    Encoder enc = encoderOf(embeddings, embeddingsPath, c.string(Q_MODEL), c.string(Q_ADAPTER));
    int k = c.integer(Q_K);
    int maxTokens = Math.min(c.integer(Q_MAX_TOKENS), ModelCache.get(enc.modelPath()).config().maxPositionEmbeddings());
    Map<String, Object> shaping = new LinkedHashMap<>();
    shaping.put("model", enc.modelColumn());
    shaping.put("adapter", String.valueOf(enc.adapterId()));
    shaping.put("k", k);
    shaping.put("max_tokens", maxTokens);
    shaping.put("max_chars", c.integer(Q_MAX_CHARS));
    shaping.put("fields", c.string(Q_ID_FIELD) + "," + c.string(Q_QUERY_FIELD));
    String inputs = InputFingerprint.of(List.of(embeddingsPath, queriesPath), hadoop);
    String runId = OutputGuard.fingerprint(inputs, shaping);
    String target = c.string(Q_OUTPUT);
    if (OutputGuard.alreadyComplete(name(), target, runId, hadoop)) {
      ctx.out().println("lora-dist query: " + target + " is already complete for these inputs and settings (skipped)");
      return;
    }
    Queries queries = readQueries(spark, queriesPath, c.string(Q_ID_FIELD), c.string(Q_QUERY_FIELD),
        c.integer(Q_MAX_CHARS));
    AtomicOutput out = AtomicOutput.begin(target, hadoop);
    try {
      Manifest manifest = new Manifest(name(), c.effective(), inputs);
      Embedded q = embedQueries(queries.valid(), enc, maxTokens);
      manifest.lap("embed_queries");
      ExactSearch.topK(embeddings, q.ids(), q.vectors(), k).write().mode(SaveMode.ErrorIfExists)
          .parquet(out.part("rankings"));
      manifest.lap("search");
      queries.rejects().write().mode(SaveMode.ErrorIfExists).parquet(out.part("rejects"));
      long rejected = spark.read().parquet(out.part("rejects")).count();
      long rows = spark.read().parquet(out.part("rankings")).count();
      manifest.count("queries_in", q.ids().size() + rejected).count("queries", q.ids().size())
          .count("rejected", rejected).count("truncated", q.truncated()).count("rankings", rows)
          .put("k", k).put("model", enc.modelColumn()).put("adapter", enc.adapterId())
          .put(OutputGuard.FIELD, runId);
      out.commit(manifest.toJson());
      ctx.out().println("lora-dist query: " + q.ids().size() + " queries (top " + k + ", " + q.truncated()
          + " truncated to " + maxTokens + " tokens), " + rejected + " rejected, model " + enc.modelColumn()
          + (enc.adapter() == null ? "" : " + adapter " + enc.adapter().dir()) + " -> " + out.target());
    } catch (RuntimeException e) {
      out.abort();
      throw e;
    }
  }
}
