package org.loradist.pipelines;

import static org.apache.spark.sql.types.DataTypes.FloatType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createMapType;

import org.apache.spark.sql.types.StructType;

/** The Parquet data contracts between stages (see DESIGN.md, "Data contracts"): column names are the interface. */
public final class Schemas {
  private Schemas() {}

  /**
   * What the readers emit: one row per input record. A row with a non-null {@code reject_reason} is a reject
   * (its {@code sample} holds the first bytes); {@code position} is the line (jsonl), row (parquet) or 0 (whole file).
   */
  public static final StructType RECORDS = new StructType()
      .add("doc_id", StringType, false)
      .add("source", StringType, false)
      .add("position", LongType, false)
      .add("title", StringType, true)
      .add("text", StringType, true)
      .add("meta", createMapType(StringType, StringType), true)
      .add("reject_reason", StringType, true)
      .add("sample", StringType, true);

  public static final StructType DOCS = new StructType()
      .add("doc_id", StringType, false)
      .add("source", StringType, false)
      .add("title", StringType, true)
      .add("text", StringType, false)
      .add("lang", StringType, true)
      .add("meta", createMapType(StringType, StringType), true)
      .add("chars", IntegerType, false)
      .add("content_hash", StringType, false);

  public static final StructType CHUNKS = new StructType()
      .add("chunk_id", StringType, false)
      .add("doc_id", StringType, false)
      .add("ordinal", IntegerType, false)
      .add("text", StringType, false)
      .add("start_char", IntegerType, false)
      .add("end_char", IntegerType, false)
      .add("n_tokens", IntegerType, false)
      .add("headings", createArrayType(StringType, false), true)
      .add("meta", createMapType(StringType, StringType), true);

  public static final StructType EMBEDDINGS = new StructType()
      .add("chunk_id", StringType, false)
      .add("embedding", createArrayType(FloatType, false), false)
      .add("model", StringType, false)
      .add("adapter", StringType, true);

  /**
   * What a classification adapter says about each chunk: the most probable {@code label} and its {@code probability},
   * every class's probability in {@code probabilities} (label → probability, summing to 1), and, as in EMBEDDINGS,
   * the base {@code model} and the {@code adapter} that made it.
   */
  public static final StructType PREDICTIONS = new StructType()
      .add("chunk_id", StringType, false)
      .add("doc_id", StringType, false)
      .add("label", StringType, false)
      .add("probability", FloatType, false)
      .add("probabilities", createMapType(StringType, FloatType, false), false)
      .add("model", StringType, false)
      .add("adapter", StringType, false);

  /** Nothing is dropped silently: every record a stage refuses lands here. {@code position} as in RECORDS. */
  public static final StructType REJECTS = new StructType()
      .add("source", StringType, false)
      .add("position", LongType, true)
      .add("stage", StringType, false)
      .add("reason", StringType, false)
      .add("sample", StringType, true);

  /** Every removal by deduplication, auditable: which doc was dropped in favour of which, and why. */
  public static final StructType DUPLICATES = new StructType()
      .add("doc_id", StringType, false)
      .add("source", StringType, false)
      .add("duplicate_of", StringType, false)
      .add("group_id", StringType, false)
      .add("kind", StringType, false)
      .add("similarity", FloatType, true);
}
