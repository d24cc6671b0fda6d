package org.loradist.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.loradist.jobs.config.WritebackSettings.E_BASELINE;
import static org.loradist.jobs.config.WritebackSettings.E_EMBEDDINGS;
import static org.loradist.jobs.config.WritebackSettings.E_CHUNKS;
import static org.loradist.jobs.config.WritebackSettings.E_JUDGEMENTS;
import static org.loradist.jobs.config.WritebackSettings.E_J_GRADE_FIELD;
import static org.loradist.jobs.config.WritebackSettings.E_J_LEVEL;
import static org.loradist.jobs.config.WritebackSettings.E_J_QUERY_FIELD;
import static org.loradist.jobs.config.WritebackSettings.E_J_TARGET_FIELD;
import static org.loradist.jobs.config.WritebackSettings.E_QUERIES;
import static org.loradist.jobs.config.WritebackSettings.E_RANKINGS;
import static org.loradist.jobs.config.WritebackSettings.Q_ID_FIELD;
import static org.loradist.jobs.config.WritebackSettings.Q_MAX_CHARS;
import static org.loradist.jobs.config.WritebackSettings.Q_MAX_TOKENS;
import static org.loradist.jobs.config.WritebackSettings.Q_QUERY_FIELD;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.pipelines.eval.RankingMetrics;
import org.loradist.pipelines.retrieve.ExactSearch;

/**
 * The retrieval half of {@code eval}: the adapter's rankings and the baseline's (given, or computed here by the base
 * encoder over the base embeddings) against the same judgements, at chunk or document level.
 */
final class RetrievalEval {
  static final int DEPTH = 10;

  private RetrievalEval() {}

  record Result(Map<String, RankingMetrics> systems, String level, List<String> notes) {}

  static Result run(SparkSession spark, JobConfig c, List<String> inputs) throws IOException {
    List<String> notes = new ArrayList<>();
    String judgementsPath = c.required(E_JUDGEMENTS, "--judgements");
    inputs.add(judgementsPath);
    String queryField = c.string(E_J_QUERY_FIELD);
    Dataset<Row> judged = InputTables.read(spark, judgementsPath, "judgements file", List.of(queryField));
    List<String> columns = List.of(judged.columns());
    String target = c.string(E_J_TARGET_FIELD);
    if (target.isBlank()) {
      target = columns.contains("chunk_id") ? "chunk_id" : "doc_id";
    }
    if (!columns.contains(target)) {
      throw new ConfigException("judgements file " + judgementsPath + " has no field '" + target + "' (fields: "
          + columns + ")");
    }
    String level = c.string(E_J_LEVEL);
    if (level.equals("auto")) {
      level = target.equals("chunk_id") ? "chunk" : "doc";
    }
    String gradeField = c.string(E_J_GRADE_FIELD);
    Dataset<Row> triples = judged.select(col(queryField).cast(DataTypes.StringType).as("query_id"),
        col(target).cast(DataTypes.StringType).as("id"),
        (columns.contains(gradeField) ? col(gradeField).cast(DataTypes.DoubleType) : lit(1.0)).as("grade"))
        .filter(col("query_id").isNotNull().and(col("id").isNotNull()));
    Dataset<Row> chunkDocs = null;
    if (level.equals("doc")) {
      String chunksDir = c.string(E_CHUNKS);
      if (chunksDir.isBlank()) {
        throw new ConfigException("judgements name documents ('" + target + "'): give --chunks (a prep output or "
            + "chunks folder) to map ranked chunks to their documents");
      }
      String chunks = InputTables.part(spark, chunksDir, "chunks", "chunks folder");
      inputs.add(chunks);
      chunkDocs = spark.read().parquet(chunks).select("chunk_id", "doc_id");
      Path duplicates = new Path(chunksDir, "duplicates");
      if (duplicates.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(duplicates)) {
        // a judged document that prep removed as a duplicate is found as the copy it kept
        Dataset<Row> dup = spark.read().parquet(duplicates.toString()).select(col("doc_id").as("id"),
            col("duplicate_of"));
        Dataset<Row> moved = triples.join(dup, "id").select(col("query_id"), col("duplicate_of").as("id"),
            col("grade"));
        long n = moved.count();
        if (n > 0) {
          notes.add(n + " judged documents were removed by prep as duplicates; their kept copy counts as relevant");
        }
        triples = triples.unionByName(moved);
      }
    }
    Map<String, Map<String, Double>> judgements = new LinkedHashMap<>();
    for (Row r : triples.collectAsList()) {
      judgements.computeIfAbsent(r.getString(0), q -> new HashMap<>()).merge(r.getString(1),
          r.isNullAt(2) ? 1.0 : r.getDouble(2), Math::max);
    }

    Map<String, RankingMetrics> systems = new LinkedHashMap<>();
    String rankingsDir = c.string(E_RANKINGS);
    Dataset<Row> adapterRankings;
    if (!rankingsDir.isBlank()) {
      String p = InputTables.part(spark, rankingsDir, "rankings", "rankings folder");
      inputs.add(p);
      adapterRankings = spark.read().parquet(p);
    } else {
      String embDir = c.required(E_EMBEDDINGS, "--rankings or --embeddings");
      adapterRankings = search(spark, c, embDir, "embeddings folder", inputs, false);
    }
    systems.put("adapter", RankingMetrics.of(ranked(adapterRankings, chunkDocs), judgements));

    String baseline = c.required(E_BASELINE, "--baseline");
    Dataset<Row> baseRankings;
    String kind = InputTables.kind(spark, baseline, "baseline folder");
    if (kind.equals("rankings")) {
      String p = InputTables.part(spark, baseline, "rankings", "baseline rankings folder");
      inputs.add(p);
      baseRankings = spark.read().parquet(p);
    } else if (kind.equals("embeddings")) {
      baseRankings = search(spark, c, baseline, "baseline embeddings folder", inputs, true);
    } else {
      throw new ConfigException("baseline " + baseline + " holds " + kind + "; retrieval needs the base model's "
          + "rankings (a query output) or embeddings (an embed output)");
    }
    systems.put("baseline", RankingMetrics.of(ranked(baseRankings, chunkDocs), judgements));
    return new Result(systems, level, notes);
  }

  /** Top-10 rankings of --queries over an embeddings folder, embedded with the model (and adapter) that made it. */
  private static Dataset<Row> search(SparkSession spark, JobConfig c, String dir, String what, List<String> inputs,
      boolean baseOnly) throws IOException {
    String queries = c.required(E_QUERIES, "--queries");
    String embPath = InputTables.part(spark, dir, "embeddings", what);
    inputs.add(embPath);
    inputs.add(queries);
    Dataset<Row> emb = spark.read().parquet(embPath);
    QueryJob.Encoder enc = QueryJob.encoderOf(emb, embPath, "", "");
    if (baseOnly && enc.adapter() != null) {
      throw new ConfigException("baseline embeddings " + embPath + " were made with adapter " + enc.adapterId()
          + "; the baseline is the base model (an embed output)");
    }
    QueryJob.Queries q = QueryJob.readQueries(spark, queries, c.string(Q_ID_FIELD), c.string(Q_QUERY_FIELD),
        c.integer(Q_MAX_CHARS));
    QueryJob.Embedded e = QueryJob.embedQueries(q.valid(), enc, c.integer(Q_MAX_TOKENS));
    return ExactSearch.topK(emb, e.ids(), e.vectors(), DEPTH);
  }

  /** query → ranked ids (chunks, or their documents when {@code chunkDocs} is given), best first. */
  private static Map<String, List<String>> ranked(Dataset<Row> rankings, Dataset<Row> chunkDocs) {
    Dataset<Row> r = rankings.select("query_id", "rank", "chunk_id");
    if (chunkDocs != null) {
      r = r.join(chunkDocs, "chunk_id").select(col("query_id"), col("rank"), col("doc_id").as("chunk_id"));
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Row row : r.orderBy("query_id", "rank").collectAsList()) {
      out.computeIfAbsent(row.getString(0), q -> new ArrayList<>()).add(row.getString(2));
    }
    return out;
  }
}
