// Databricks notebook source
// MAGIC %md
// MAGIC # lora-dist: exploring a corpus with the Spark ML stages, step by step
// MAGIC
// MAGIC What `lora-dist prep` does in one command, one stage per cell, so you can look at what each stage keeps,
// MAGIC rejects and why: **read → clean → deduplicate → chunk → embed**, a first **search** over the embeddings,
// MAGIC and **finetuning with LoRA** on the documents' own (title, text) pairs.
// MAGIC
// MAGIC | stage | class | in the assembly today |
// MAGIC |---|---|---|
// MAGIC | read | `org.loradist.pipelines.ingest.CorpusReader` | yes |
// MAGIC | clean | `org.loradist.pipelines.clean.TextCleaner` (Transformer) | yes |
// MAGIC | dedup | `org.loradist.pipelines.dedup.Deduplicator` | yes |
// MAGIC | chunk | `org.loradist.pipelines.chunk.TextChunker` (Transformer) | yes |
// MAGIC | embed | `org.loradist.pipelines.embed.Embedder` (Transformer) | yes |
// MAGIC | finetune | `org.loradist.pipelines.finetune.LoraFinetuner` (Estimator) → `LoraModel` | yes |
// MAGIC
// MAGIC **Cluster**: Databricks Runtime 16.4 LTS **Scala 2.12** image (Spark 3.5, JDK 17), access mode *Dedicated
// MAGIC (single user)*; library: `lora-dist-assembly.jar` (from `mvn -pl jobs -am package`, uploaded to a Volume); Spark
// MAGIC config `spark.executor.extraJavaOptions -Dai.djl.offline=true` and `spark.driver.extraJavaOptions
// MAGIC -Dai.djl.offline=true`; environment `DJL_CACHE_DIR=/local_disk0/tmp/djl`. See `deploy/databricks/README.md`.

// COMMAND ----------

// MAGIC %md
// MAGIC ## Where the corpus is
// MAGIC
// MAGIC Files, folders or globs of txt, md, html, jsonl or parquet (gzip too). The defaults read the Debian package
// MAGIC descriptions of the quickstart sample (`samples/quickstart/debian-packages.jsonl.gz`, copied to a Volume):
// MAGIC the text is in `description`, the id in `package`, the title in `synopsis`.

// COMMAND ----------

dbutils.widgets.text("input", "/Volumes/main/lora_dist/data/samples/debian-packages.jsonl.gz", "corpus (comma-separated)")
dbutils.widgets.text("text_field", "description", "text field (jsonl/parquet)")
dbutils.widgets.text("id_field", "package", "id field (empty: a hash of source and position)")
dbutils.widgets.text("title_field", "synopsis", "title field")

val inputs = dbutils.widgets.get("input").split(",").map(_.trim).filter(_.nonEmpty).toSeq
def orNull(s: String): String = if (s.trim.isEmpty) null else s.trim

// COMMAND ----------

// MAGIC %md
// MAGIC ## 1. Read
// MAGIC
// MAGIC One row per record: `doc_id, source, position, title, text, meta, reject_reason, sample`. A record that cannot
// MAGIC be read (invalid UTF-8 under the `reject` policy, too long, not JSON) is a row with a `reject_reason`, not an
// MAGIC exception and not a silent drop.

// COMMAND ----------

import java.util.{Arrays => JArrays}
import org.apache.spark.sql.functions._
import org.loradist.pipelines.ingest.{CorpusReader, ReaderOptions}

val readerOptions = ReaderOptions.defaults()
  .withTextField(dbutils.widgets.get("text_field"))
  .withIdField(orNull(dbutils.widgets.get("id_field")))
  .withTitleField(orNull(dbutils.widgets.get("title_field")))

val records = CorpusReader.read(spark, JArrays.asList(inputs: _*), readerOptions)
display(records.limit(20))

// COMMAND ----------

// MAGIC %md
// MAGIC ## 2. Clean
// MAGIC
// MAGIC `TextCleaner`: Unicode NFKC, control characters, whitespace layout, PII redaction (typed placeholders such as
// MAGIC `[EMAIL]`; cards and IBANs only when their checksum holds) and quality rules. Its Params: `normalize`,
// MAGIC `redactEmail`, `redactPhone`, `redactIpv4`, `redactIpv6`, `redactCard`, `redactIban`, `filterQuality`,
// MAGIC `minChars`, `maxChars`, `minWords`, `minAlphaRatio`, `minMeanWordLength`, `maxMeanWordLength`,
// MAGIC `maxRepeatedLineFraction`, `maxSymbolRatio`. Rejected rows keep their `reject_reason`.

// COMMAND ----------

import org.loradist.pipelines.clean.{PiiType, TextCleaner}

val cleaner = new TextCleaner()
  .setRedactTypes(java.util.EnumSet.allOf(classOf[PiiType]))
  .setMinWords(3)
val cleaned = cleaner.transform(records).cache()

val summary = TextCleaner.summarize(cleaned)
println(s"kept ${summary.kept} of ${summary.rows}; rejected by reason: ${summary.rejectsByReason}; " +
  s"PII redactions: ${summary.piiCounts}")
display(cleaned.filter(col("reject_reason").isNotNull).groupBy("reject_reason").count().orderBy(desc("count")))

// COMMAND ----------

// MAGIC %md
// MAGIC ## 3. Deduplicate
// MAGIC
// MAGIC Exact duplicates (same normalised content hash) and near duplicates (MinHash LSH over word shingles, every
// MAGIC candidate pair verified by its Jaccard similarity). Every removal is a row of `duplicates` saying which document
// MAGIC it duplicates, the kind and the similarity.

// COMMAND ----------

import org.loradist.pipelines.dedup.{DedupConfig, Deduplicator}

val candidates = cleaned.filter(col("reject_reason").isNull).select(
  col("doc_id"), col("source"), col("title"), col("text"), col("meta").getItem("lang").as("lang"),
  col("meta"), col("chars"), col("content_hash"))
val dedup = Deduplicator.run(candidates, DedupConfig.defaults().withThreshold(0.8))
val docs = dedup.kept().select(candidates.columns.map(col): _*).cache()
println(s"docs kept: ${docs.count()}, removed as duplicates: ${dedup.duplicates().count()}")
display(dedup.duplicates().orderBy(col("similarity").asc).limit(50))

// COMMAND ----------

// MAGIC %md
// MAGIC Look at the least similar pairs that were still judged duplicates: if they should not be, raise the threshold
// MAGIC (`DedupConfig.withThreshold`, CLI key `prep.dedup.threshold`).

// COMMAND ----------

display(dedup.duplicates().join(docs.select(col("doc_id").as("duplicate_of"), col("text").as("kept_text")), "duplicate_of")
  .orderBy(col("similarity").asc).select("similarity", "kind", "doc_id", "duplicate_of", "kept_text").limit(10))

// COMMAND ----------

// MAGIC %md
// MAGIC ## 4. Chunk
// MAGIC
// MAGIC `TextChunker` splits by tokens of the default model's tokenizer (all-MiniLM-L6-v2, inside the assembly) at
// MAGIC headings → paragraphs → sentences → words. Params: `textCol` (`text`), `idCol` (`doc_id`), `maxTokens` (256),
// MAGIC `overlapTokens` (32), `reservedTokens` (0; room for a prefix the embedder adds), `tokenizerPath` (unset: the
// MAGIC default model's). Offsets point into the document's cleaned text: `substring(start_char, end_char) == text`.

// COMMAND ----------

import org.loradist.pipelines.chunk.TextChunker

val chunker = new TextChunker().setMaxTokens(256).setOverlapTokens(32)
val chunks = chunker.transform(docs).cache()
display(chunks.select("chunk_id", "doc_id", "ordinal", "n_tokens", "headings", "text").limit(20))

// COMMAND ----------

display(chunks.groupBy((floor(col("n_tokens") / 16) * 16).as("tokens")).count().orderBy("tokens"))

// COMMAND ----------

// The chunk contract, checked on this corpus: every chunk is exactly its slice of the document. The offsets are
// Java (UTF-16) string offsets, so the check is a Scala substring, not SQL's substring (which counts code points).
val slice = udf((doc: String, start: Int, end: Int) => doc.substring(start, end))
val offsetMismatches = chunks.as("c").join(docs.as("d"), col("c.doc_id") === col("d.doc_id"))
  .filter(slice(col("d.text"), col("c.start_char"), col("c.end_char")) =!= col("c.text"))
  .count()
assert(offsetMismatches == 0, s"$offsetMismatches chunks do not match their document slice")

// COMMAND ----------

// MAGIC %md
// MAGIC ## 5. Embed
// MAGIC
// MAGIC `Embedder` (Transformer): sentence embeddings with the encoder on PyTorch (DJL), `array<float>`, L2-normalised.
// MAGIC Params: `inputCol` (`text`), `outputCol` (`embedding`), `modelPath` (`default`: the bundled all-MiniLM-L6-v2,
// MAGIC or a Hugging Face model folder readable on every node), `maxTokens` (256, truncation), `batchTokens` (8192,
// MAGIC padded tokens per batch; batches are sorted by length inside a partition), `precision` (`FP32`, or `BF16` on CPUs
// MAGIC that have it). One encoder per executor JVM, shared by its tasks; PyTorch intra-op threads follow
// MAGIC `spark.task.cpus`. A blank text gets a null embedding.

// COMMAND ----------

import org.loradist.pipelines.embed.Embedder

val embedder = new Embedder()
  .setInputCol("text")
  .setOutputCol("embedding")
  .setModelPath("default")
  .setMaxTokens(256)
  .setBatchTokens(8192)
  .setPrecision("FP32")
val embeddings = embedder.transform(chunks.select("chunk_id", "doc_id", "text")).cache()
display(embeddings.select(col("chunk_id"), size(col("embedding")).as("dims"), col("text")).limit(10))

// COMMAND ----------

// MAGIC %md
// MAGIC ## 6. Search
// MAGIC
// MAGIC The embeddings are unit vectors, so cosine similarity is a dot product. Embed a question with the same stage
// MAGIC and rank the chunks (a brute-force scan: fine for a notebook; `lora-dist query` and `serve` are the scalable
// MAGIC paths once they land).

// COMMAND ----------

dbutils.widgets.text("question", "compress files with a fast algorithm", "search question")

import spark.implicits._

val question = embedder.transform(Seq(dbutils.widgets.get("question")).toDF("text"))
  .select(col("embedding").as("q"))
val dot = udf((a: Seq[Float], b: Seq[Float]) => a.zip(b).map { case (x, y) => x * y }.sum)
display(embeddings.crossJoin(question).select(dot(col("embedding"), col("q")).as("score"), col("doc_id"), col("text"))
  .orderBy(desc("score")).limit(10))

// COMMAND ----------

// MAGIC %md
// MAGIC ## 7. Finetune with LoRA
// MAGIC
// MAGIC `LoraFinetuner` is an Estimator whose `fit` trains data-parallel across the executors (one long barrier task
// MAGIC per worker: `workers` free task slots are needed, so set `spark.task.cpus` to the executor's cores on a
// MAGIC training cluster and `workers` to the executor count) and returns a `LoraModel` Transformer that embeds
// MAGIC (retrieval) or predicts (classification: `prediction`, `probability`, `predicted_label`), saved and loaded as
// MAGIC any Spark ML model. Params as the CLI's `train` flags: `task` (`classification` | `retrieval`), `modelPath`,
// MAGIC `rank`, `alpha`, `dropout`, `targets`, `maxSteps` or `epochs`, `batchSize`, `learningRate`, `workers`, `seed`,
// MAGIC `maxTokens`, and the columns (`textCol`/`labelCol`, or `queryCol`/`passageCol`). `workDir` holds checkpoints
// MAGIC and must be a path every executor can write (a Volume). The saved model's `adapter/` folder is in Hugging Face
// MAGIC PEFT layout; `lora-dist export --merge` turns it into a plain model folder.
// MAGIC
// MAGIC Here: the title (the package synopsis in the sample) is a natural query for its document's text, so the
// MAGIC documents themselves are (query, passage) pairs for contrastive retrieval finetuning.

// COMMAND ----------

import org.loradist.pipelines.finetune.{LoraFinetuner, LoraModel}

val pairs = docs.where(col("title").isNotNull).select(col("title").as("query"), col("text").as("passage"))
val finetuner = new LoraFinetuner()
  .setTask("retrieval").setQueryCol("query").setPassageCol("passage").setTextCol("text")
  .setRank(8).setAlpha(16).setTargets("query,value")
  .setMaxSteps(200).setBatchSize(32).setLearningRate(2e-4).setWorkers(2).setSeed(42)
  .setWorkDir("/Volumes/main/lora_dist/data/finetune-work")
val model = finetuner.fit(pairs)
model.write.overwrite().save("/Volumes/main/lora_dist/data/adapters/explore")
val tuned = LoraModel.load("/Volumes/main/lora_dist/data/adapters/explore")
display(tuned.transform(chunks.select("chunk_id", "text")).select(col("chunk_id"), size(col("embedding")).as("dims"))
  .limit(5))

// COMMAND ----------

// MAGIC %md
// MAGIC ## Keep what you explored
// MAGIC
// MAGIC To write these outputs the way the pipeline does (atomic folders with `_manifest.json` and `_SUCCESS`), run the
// MAGIC same settings as a job: `lora-dist prep --input ... --output ... --text-field description --id-field package
// MAGIC --title-field synopsis` (the `prep` task of `lora_dist_pipeline.job.json`). Config keys:
// MAGIC `docs/configuration.md`.

// COMMAND ----------

cleaned.unpersist()
docs.unpersist()
chunks.unpersist()
embeddings.unpersist()
