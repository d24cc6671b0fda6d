package org.loradist.jobs;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.xxhash64;
import static org.loradist.jobs.config.WritebackSettings.E_BASELINE;
import static org.loradist.jobs.config.WritebackSettings.E_GOLD;
import static org.loradist.jobs.config.WritebackSettings.E_ID_FIELD;
import static org.loradist.jobs.config.WritebackSettings.E_KNN_K;
import static org.loradist.jobs.config.WritebackSettings.E_LABEL_FIELD;
import static org.loradist.jobs.config.WritebackSettings.E_LR_ITER;
import static org.loradist.jobs.config.WritebackSettings.E_PREDICTIONS;
import static org.loradist.jobs.config.WritebackSettings.E_TEXT_FIELD;
import static org.loradist.jobs.config.WritebackSettings.E_TRAIN;
import static org.loradist.jobs.config.WritebackSettings.E_TRAIN_LIMIT;
import static org.loradist.jobs.config.WritebackSettings.Q_MAX_TOKENS;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.Settings;
import org.loradist.pipelines.adapt.AdaptedEmbedder;
import org.loradist.pipelines.eval.ClassificationMetrics;
import org.loradist.pipelines.retrieve.ExactSearch;

/**
 * The classification half of {@code eval}: the adapter's predictions and the baselines' against the same gold
 * labels. Computed baselines are fitted on frozen base embeddings of {@code --train}: Spark MLlib's multinomial
 * logistic regression, and k-NN (cosine, the k nearest training examples vote). Gold ids may be documents or chunks
 * (whichever matches more predictions); a document's label is the argmax of its chunks' mean class probabilities.
 */
final class ClassificationEval {
  private ClassificationEval() {}

  record Result(Map<String, ClassificationMetrics> systems, String level, List<String> notes) {}

  static Result run(SparkSession spark, JobConfig c, List<String> inputs) throws IOException {
    List<String> notes = new ArrayList<>();
    String predDir = c.required(E_PREDICTIONS, "--predictions");
    String predPath = InputTables.part(spark, predDir, "predictions", "predictions folder");
    inputs.add(predPath);
    Dataset<Row> predictions = spark.read().parquet(predPath);
    if (!List.of(predictions.columns()).contains("probabilities")) {
      throw new ConfigException(predPath + " is not a predictions folder (no column 'probabilities')");
    }
    String goldPath = c.required(E_GOLD, "--gold");
    inputs.add(goldPath);
    String idField = c.string(E_ID_FIELD);
    String labelField = c.string(E_LABEL_FIELD);
    Dataset<Row> gold = InputTables.read(spark, goldPath, "gold labels file", List.of(idField, labelField))
        .select(col(idField).cast(DataTypes.StringType).as("id"), col(labelField).cast(DataTypes.StringType).as("gold"))
        .filter(col("id").isNotNull().and(col("gold").isNotNull()).and(trim(col("gold")).notEqual("")))
        .dropDuplicates("id").persist(StorageLevel.MEMORY_AND_DISK());
    long byDoc = gold.join(predictions.select(col("doc_id").as("id")).distinct(), "id").count();
    long byChunk = gold.join(predictions.select(col("chunk_id").as("id")), "id").count();
    String level = byChunk > byDoc ? "chunk" : "doc";
    if (Math.max(byDoc, byChunk) == 0) {
      throw new ConfigException("no id of gold labels " + goldPath + " (field '" + idField + "') matches a doc_id or "
          + "chunk_id of the predictions in " + predPath);
    }
    Dataset<Row> chunks = predictions.select("chunk_id", "doc_id");

    Map<String, ClassificationMetrics> systems = new LinkedHashMap<>();
    Dataset<Row> adapterLong = predictions.select(col("chunk_id"), col("doc_id"), explode(col("probabilities")))
        .select(col("chunk_id"), col("doc_id"), col("key").as("label"), col("value").cast(DataTypes.DoubleType).as("p"));
    systems.put("adapter", score(decide(adapterLong, level), gold, "adapter", notes));

    String baseline = c.required(E_BASELINE, "--baseline");
    String kind = InputTables.kind(spark, baseline, "baseline folder");
    if (kind.equals("predictions")) {
      String p = InputTables.part(spark, baseline, "predictions", "baseline predictions folder");
      inputs.add(p);
      Dataset<Row> b = spark.read().parquet(p).select(col("chunk_id"), col("doc_id"), explode(col("probabilities")))
          .select(col("chunk_id"), col("doc_id"), col("key").as("label"), col("value").cast(DataTypes.DoubleType)
              .as("p"));
      systems.put("baseline", score(decide(b, level), gold, "baseline", notes));
    } else if (kind.equals("embeddings")) {
      String train = c.string(E_TRAIN);
      if (train.isBlank()) {
        throw new ConfigException("baseline " + baseline + " holds embeddings: give --train PATH (labelled examples) "
            + "to fit the logistic regression and k-NN baselines on them");
      }
      String embPath = InputTables.part(spark, baseline, "embeddings", "baseline embeddings folder");
      inputs.add(embPath);
      inputs.add(train);
      Dataset<Row> emb = spark.read().parquet(embPath);
      QueryJob.Encoder enc = QueryJob.encoderOf(emb, embPath, "", "");
      if (enc.adapter() != null) {
        throw new ConfigException("baseline embeddings " + embPath + " were made with adapter " + enc.adapterId()
            + "; the baseline is the base model (an embed output)");
      }
      Dataset<Row> evalSet = chunks.join(emb.select("chunk_id", "embedding"), "chunk_id")
          .persist(StorageLevel.MEMORY_AND_DISK());
      long missing = chunks.count() - evalSet.count();
      if (missing > 0) {
        notes.add(missing + " predicted chunks have no baseline embedding; the baselines do not see them");
      }
      Dataset<Row> trainSet = trainingSet(spark, c, train, enc, notes);
      try {
        systems.put("baseline_logreg", score(decide(logisticRegression(trainSet, evalSet, c.integer(E_LR_ITER)), level), gold,
            "baseline_logreg", notes));
        systems.put("baseline_knn", score(decide(knn(trainSet, evalSet, c.integer(E_KNN_K)), level), gold,
            "baseline_knn", notes));
      } finally {
        trainSet.unpersist();
        evalSet.unpersist();
      }
    } else {
      throw new ConfigException("baseline " + baseline + " holds rankings; classification needs the base model's "
          + "predictions (a writeback output) or embeddings (an embed output)");
    }
    gold.unpersist();
    return new Result(systems, level, notes);
  }

  /** (tid, label, embedding) of the labelled examples, embedded by the base encoder; notes how many there were. */
  private static Dataset<Row> trainingSet(SparkSession spark, JobConfig c, String path, QueryJob.Encoder enc,
      List<String> notes) throws IOException {
    String text = c.string(E_TEXT_FIELD);
    String label = c.string(E_LABEL_FIELD);
    Dataset<Row> raw = InputTables.read(spark, path, "training set", List.of(text, label))
        .select(col(text).cast(DataTypes.StringType).as("text"), col(label).cast(DataTypes.StringType).as("label"))
        .filter(col("text").isNotNull().and(trim(col("text")).notEqual(""))
            .and(col("label").isNotNull()).and(trim(col("label")).notEqual("")));
    int limit = c.integer(E_TRAIN_LIMIT);
    if (limit > 0) {
      // Ordered by a seeded hash of the content, not by file position: the same sample every run and on any
      // partitioning, and not biased to the head of a file sorted by label.
      raw = raw.orderBy(xxhash64(lit(c.longValue(Settings.SEED)), col("text"), col("label")), col("text"))
          .limit(limit);
    }
    raw = raw.withColumn("tid", monotonically_increasing_id().cast(DataTypes.StringType))
        .repartition(spark.sparkContext().defaultParallelism());
    Dataset<Row> embedded = new AdaptedEmbedder().setInputCol("text").setOutputCol("embedding")
        .setModelPath(enc.modelPath()).setAdapterPath(null).setMaxTokens(c.integer(Q_MAX_TOKENS)).transform(raw)
        .select("tid", "label", "embedding").persist(StorageLevel.MEMORY_AND_DISK());
    long examples = embedded.count();
    if (examples == 0) {
      throw new ConfigException("training set " + path + " has no example with both '" + text + "' and '" + label
          + "'");
    }
    notes.add("the baselines were fitted on " + examples + " labelled examples of " + path
        + (limit > 0 ? " (a seeded sample of at most " + limit + ", eval.train-limit)" : ""));
    return embedded;
  }

  /** Long form (chunk_id, doc_id, label, p) from multinomial logistic regression on the frozen embeddings. */
  private static Dataset<Row> logisticRegression(Dataset<Row> train, Dataset<Row> evalSet, int maxIter) {
    Dataset<Row> t = train.withColumn("features", org.apache.spark.ml.functions.array_to_vector(col("embedding")));
    StringIndexerModel indexer = new StringIndexer().setInputCol("label").setOutputCol("y").fit(t);
    LogisticRegressionModel lr = new LogisticRegression().setFamily("multinomial").setMaxIter(maxIter)
        .setRegParam(1e-4).setFeaturesCol("features").setLabelCol("y").fit(indexer.transform(t));
    Column labels = array(java.util.Arrays.stream(indexer.labelsArray()[0]).map(l -> lit(l)).toArray(Column[]::new));
    return lr.transform(evalSet.withColumn("features",
            org.apache.spark.ml.functions.array_to_vector(col("embedding"))))
        .select(col("chunk_id"), col("doc_id"),
            posexplode(org.apache.spark.ml.functions.vector_to_array(col("probability"), "float64")))
        .select(col("chunk_id"), col("doc_id"), element_at(labels, col("pos").plus(1)).as("label"),
            col("col").as("p"));
  }

  /** Long form from k-NN: the share of the k most similar training examples that carry each label. */
  private static Dataset<Row> knn(Dataset<Row> train, Dataset<Row> evalSet, int k) {
    List<Row> rows = evalSet.select("chunk_id", "embedding").collectAsList();
    List<String> ids = new ArrayList<>(rows.size());
    float[][] vectors = new float[rows.size()][];
    for (int i = 0; i < rows.size(); i++) {
      ids.add(rows.get(i).getString(0));
      List<Float> v = rows.get(i).getList(1);
      vectors[i] = new float[v.size()];
      for (int j = 0; j < v.size(); j++) {
        vectors[i][j] = v.get(j);
      }
    }
    Dataset<Row> neighbours = ExactSearch.topK(train.select(col("tid").as("chunk_id"), col("embedding")), ids,
        vectors, k);
    return neighbours.join(train.select(col("tid").as("chunk_id"), col("label")), "chunk_id")
        .groupBy(col("query_id"), col("label")).agg(count(lit(1)).as("votes"))
        .join(evalSet.select(col("chunk_id").as("query_id"), col("doc_id")), "query_id")
        .select(col("query_id").as("chunk_id"), col("doc_id"), col("label"), col("votes").divide(k).as("p"));
  }

  /** (id, label): per chunk, or per document by the mean of its chunks' probabilities; ties to the smaller label. */
  private static Dataset<Row> decide(Dataset<Row> longForm, String level) {
    String id = level.equals("chunk") ? "chunk_id" : "doc_id";
    Dataset<Row> mean = longForm.groupBy(col(id).as("id"), col("label")).agg(avg(col("p")).as("p"));
    return mean.withColumn("nth", row_number().over(Window.partitionBy("id").orderBy(col("p").desc(),
            col("label").asc())))
        .filter(col("nth").equalTo(1)).select(col("id"), col("label").as("predicted"));
  }

  private static ClassificationMetrics score(Dataset<Row> decided, Dataset<Row> gold, String system,
      List<String> notes) {
    long goldCount = gold.count();
    List<Row> pairs = gold.join(decided, "id").select("gold", "predicted").collectAsList();
    if (pairs.isEmpty()) {
      throw new ConfigException("no gold label matches a prediction of " + system);
    }
    if (pairs.size() < goldCount) {
      notes.add(system + ": " + (goldCount - pairs.size()) + " of " + goldCount + " gold ids have no prediction "
          + "(not in the predicted chunks, e.g. removed by prep) and are left out of its metrics");
    }
    return ClassificationMetrics.of(pairs.stream().map(r -> r.getString(0)).toList(),
        pairs.stream().map(r -> r.getString(1)).toList());
  }
}
