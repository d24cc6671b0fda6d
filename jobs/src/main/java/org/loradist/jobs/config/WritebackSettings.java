package org.loradist.jobs.config;

import static org.loradist.jobs.config.Setting.bool;
import static org.loradist.jobs.config.Setting.choice;
import static org.loradist.jobs.config.Setting.integer;
import static org.loradist.jobs.config.Setting.string;

import java.util.List;

/** Keys of the commands that use trained adapters: writeback, query and eval. */
public final class WritebackSettings {
  private WritebackSettings() {}

  public static final Setting WB_CHUNKS = string("writeback.chunks", "",
      "A prep output folder (its chunks/ is read) or a chunks Parquet folder.");
  public static final Setting WB_ADAPTER = string("writeback.adapter", "",
      "Adapter directory written by train (PEFT files + lora_dist.json, which says task, labels and base model).");
  public static final Setting WB_OUTPUT = string("writeback.output", "",
      "Output folder (a new version: an existing complete output of other inputs is never overwritten); receives "
          + "embeddings/ (retrieval adapter) or predictions/ (classification adapter), rejects/ and _manifest.json.");
  public static final Setting WB_MODEL = string("writeback.model", "",
      "Base model; empty: the adapter's own (lora_dist.json). A different base than the adapter's is refused.");
  public static final Setting WB_MERGE = bool("writeback.merge", false,
      "Fold the adapter into the weights (W + s*B*A, one matmul per linear) instead of running the LoRA branch.");
  public static final Setting WB_MAX_TOKENS = integer("writeback.max-tokens", 256, 3, 8192,
      "Truncation length in tokens, [CLS]/[SEP] included.");

  public static final Setting Q_EMBEDDINGS = string("query.embeddings", "",
      "An embed or writeback output folder (its embeddings/ is read) or an embeddings Parquet folder.");
  public static final Setting Q_QUERIES = string("query.queries", "",
      "Queries file or folder: jsonl (optionally .gz) or parquet, with an id and a text field.");
  public static final Setting Q_K = integer("query.k", 10, 1, 10_000, "Results per query.");
  public static final Setting Q_OUTPUT = string("query.output", "",
      "Output folder; receives rankings/ (query_id, rank, chunk_id, score), rejects/ and _manifest.json.");
  public static final Setting Q_ID_FIELD = string("query.id-field", "id", "Field holding the query id.");
  public static final Setting Q_QUERY_FIELD = string("query.query-field", "query", "Field holding the query text.");
  public static final Setting Q_MODEL = string("query.model", "",
      "Base model of the query encoder; empty: the one named in the embeddings' model column (a mismatch is refused).");
  public static final Setting Q_ADAPTER = string("query.adapter", "",
      "Adapter directory; empty: the one named in the embeddings' adapter column (a mismatch is refused).");
  public static final Setting Q_MAX_TOKENS = integer("query.max-tokens", 256, 3, 8192,
      "Queries longer than this many tokens are truncated to it (and counted as truncated in the manifest).");
  public static final Setting Q_MAX_CHARS = integer("query.max-chars", 20_000, 1, Integer.MAX_VALUE,
      "Queries longer than this many characters are rejected (query_too_long) rather than tokenized.");

  public static final Setting E_TASK = choice("eval.task", "auto",
      "What is evaluated; auto: retrieval when rankings are given, classification when predictions are.",
      "auto", "retrieval", "classification");
  public static final Setting E_RANKINGS = string("eval.rankings", "",
      "Retrieval: a query output folder (rankings/) of the adapted model.");
  public static final Setting E_EMBEDDINGS = string("eval.embeddings", "",
      "Retrieval, instead of --rankings: the adapted embeddings (a writeback output), searched here with --queries.");
  public static final Setting E_JUDGEMENTS = string("eval.judgements", "",
      "Retrieval: relevance judgements, jsonl/parquet with query_id, chunk_id or doc_id, optional grade (default 1).");
  public static final Setting E_J_QUERY_FIELD = string("eval.judgement-query-field", "query_id",
      "Field of the judgements holding the query id.");
  public static final Setting E_J_TARGET_FIELD = string("eval.judgement-target-field", "",
      "Field of the judgements holding the relevant id; empty: chunk_id when present, else doc_id.");
  public static final Setting E_J_LEVEL = choice("eval.judgement-level", "auto",
      "What the judged ids are; auto: chunks when the field is chunk_id, else documents (needs eval.chunks).",
      "auto", "doc", "chunk");
  public static final Setting E_J_GRADE_FIELD = string("eval.judgement-grade-field", "grade",
      "Field of the judgements holding the grade (absent: every judged id has grade 1).");
  public static final Setting E_PREDICTIONS = string("eval.predictions", "",
      "Classification: a writeback output folder (predictions/) of a classification adapter.");
  public static final Setting E_GOLD = string("eval.gold", "",
      "Classification: gold labels, jsonl/parquet with an id field (a doc_id or chunk_id) and a label field.");
  public static final Setting E_BASELINE = string("eval.baseline", "",
      "The baseline: its rankings (a query output) or predictions (a writeback output), or the base model's "
          + "embeddings of the same chunks (an embed output), from which it is computed here: base-encoder rankings "
          + "of --queries (retrieval), or logistic regression and k-NN fitted on --train (classification).");
  public static final Setting E_QUERIES = string("eval.queries", "",
      "Retrieval, for rankings computed here: the queries (fields: query.id-field, query.query-field).");
  public static final Setting E_TRAIN = string("eval.train", "",
      "Classification, computed baseline: labelled examples (fields: eval.text-field, eval.label-field) that "
          + "logistic regression and k-NN are fitted on, over frozen base embeddings.");
  public static final Setting E_TRAIN_LIMIT = integer("eval.train-limit", 0, 0, Integer.MAX_VALUE,
      "Classification, computed baseline: fit on at most this many examples of eval.train, a sample seeded by "
          + "run.seed (the same every run); 0: all. Embedding a large training set is most of the baseline's cost.");
  public static final Setting E_CHUNKS = string("eval.chunks", "",
      "A prep output or chunks folder: maps chunks to documents for doc-level judgements or gold labels; a prep "
          + "output's duplicates/ also counts a removed duplicate's survivor as relevant.");
  public static final Setting E_ID_FIELD = string("eval.id-field", "id", "Field of the gold labels holding the id.");
  public static final Setting E_LABEL_FIELD = string("eval.label-field", "label", "Field holding the label.");
  public static final Setting E_TEXT_FIELD = string("eval.text-field", "text", "Field of --train holding the text.");
  public static final Setting E_KNN_K = integer("eval.knn-k", 10, 1, 1000, "Neighbours of the k-NN baseline.");
  public static final Setting E_LR_ITER = integer("eval.logreg-max-iter", 100, 1, 10_000,
      "Iterations (L-BFGS) of the logistic regression baseline.");
  public static final Setting E_OUTPUT = string("eval.output", "",
      "Output folder; receives metrics.json, report.html and _manifest.json.");

  public static final List<Setting> ALL = List.of(WB_CHUNKS, WB_ADAPTER, WB_OUTPUT, WB_MODEL, WB_MERGE,
      WB_MAX_TOKENS, Q_EMBEDDINGS, Q_QUERIES, Q_K, Q_OUTPUT, Q_ID_FIELD, Q_QUERY_FIELD, Q_MODEL, Q_ADAPTER,
      Q_MAX_TOKENS, Q_MAX_CHARS, E_TASK, E_RANKINGS, E_EMBEDDINGS, E_JUDGEMENTS,
      E_J_QUERY_FIELD, E_J_TARGET_FIELD, E_J_LEVEL, E_J_GRADE_FIELD, E_PREDICTIONS, E_GOLD, E_BASELINE,
      E_QUERIES, E_TRAIN, E_TRAIN_LIMIT, E_CHUNKS, E_ID_FIELD, E_LABEL_FIELD, E_TEXT_FIELD, E_KNN_K, E_LR_ITER, E_OUTPUT);
}
