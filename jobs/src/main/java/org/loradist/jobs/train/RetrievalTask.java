package org.loradist.jobs.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.TrainSettings;
import org.loradist.pipelines.embed.Embedder;
import org.loradist.pipelines.finetune.FinetunedAdapter;
import org.loradist.pipelines.finetune.LoraModel;
import org.loradist.train.lora.Evaluation;
import org.loradist.train.lora.Examples;
import org.loradist.train.lora.LoraTask;
import org.loradist.train.lora.LoraTraining;
import org.loradist.train.lora.LoraTrainingConfig;
import org.loradist.train.lora.LoraTrainingResult;
import org.loradist.train.lora.TextPair;

/**
 * (query, passage) pairs, contrastive with in-batch negatives. Evaluation: every evaluation query against the
 * distinct evaluation passages by cosine similarity (a hit is the passage text, as several rows may share one);
 * baseline: the base encoder, untouched.
 */
final class RetrievalTask implements TrainTask {

  @Override
  public LoraTask loraTask() {
    return LoraTask.RETRIEVAL;
  }

  @Override
  public void validate(JobConfig c) {
    ExampleInputs.requireFields(c,
        new ExampleInputs.Field(TrainSettings.QUERY_FIELD, "query", "--query-field"),
        new ExampleInputs.Field(TrainSettings.PASSAGE_FIELD, "passage", "--passage-field"));
  }

  @Override
  public TrainTask.Prepared prepare(SparkSession spark, JobConfig c) {
    ExampleInputs<TextPair> in = ExampleInputs.read(spark, c, "(query, passage) pair",
        rows -> Examples.retrieval(rows, c.string(TrainSettings.ID_FIELD), c.string(TrainSettings.QUERY_FIELD),
            c.string(TrainSettings.PASSAGE_FIELD)));
    return new Prepared(in.train(), in.eval(), in.replay(), in.rejects(), c.string(TrainSettings.MODEL),
        c.integer(TrainSettings.MAX_TOKENS));
  }

  private record Prepared(List<TextPair> train, List<TextPair> eval, List<TextPair> replay, InputRejects rejects,
      String modelPath, int maxTokens) implements TrainTask.Prepared {

    @Override
    public String describe() {
      return train.size() + " (query, passage) pairs" + (eval == null ? "" : ", " + eval.size()
          + " evaluation pairs") + (replay.isEmpty() ? "" : ", " + replay.size() + " replay pairs");
    }

    @Override
    public LoraTrainingResult train(SparkSession spark, LoraTrainingConfig config, String dir, String resumeFrom) {
      return LoraTraining.trainRetrieval(spark, train, replay, config, dir, resumeFrom);
    }

    @Override
    public EvalReport evaluate(SparkSession spark, FinetunedAdapter adapter) {
      if (eval == null) {
        return null;
      }
      long t0 = System.nanoTime();
      Map<String, Integer> passageIndex = new LinkedHashMap<>();
      int[] gold = new int[eval.size()];
      for (int i = 0; i < eval.size(); i++) {
        gold[i] = passageIndex.computeIfAbsent(eval.get(i).passage(), k -> passageIndex.size());
      }
      TextBatch queries = new TextBatch(spark, eval.stream().map(TextPair::query).toList());
      TextBatch passages = new TextBatch(spark, new ArrayList<>(passageIndex.keySet()));
      LoraModel model = new LoraModel(Identifiable.randomUID("loraModel"), adapter).setInputCol(TextBatch.TEXT)
          .setEmbeddingCol("embedding");
      Evaluation.RetrievalMetrics tuned = Evaluation.retrieval(queries.vectors(model, "embedding"),
          passages.vectors(model, "embedding"), gold);
      long t1 = System.nanoTime();
      Embedder base = new Embedder().setInputCol(TextBatch.TEXT).setOutputCol("embedding").setModelPath(modelPath)
          .setMaxTokens(maxTokens);
      Evaluation.RetrievalMetrics baseline = Evaluation.retrieval(queries.vectors(base, "embedding"),
          passages.vectors(base, "embedding"), gold);
      Map<String, Object> facts = new LinkedHashMap<>();
      facts.put("eval_queries", tuned.queries());
      facts.put("eval_passages", tuned.passages());
      facts.put("lora_eval_seconds", Math.round((t1 - t0) / 1e7) / 100.0);
      facts.put("baseline_seconds", Math.round((System.nanoTime() - t1) / 1e7) / 100.0);
      return new EvalReport("retrieval", metrics(tuned), metrics(baseline), "the base encoder without adapter",
          "mrr@10", facts, false);
    }

    private static Map<String, Double> metrics(Evaluation.RetrievalMetrics m) {
      Map<String, Double> out = new LinkedHashMap<>();
      out.put("recall@1", m.recallAt1());
      out.put("recall@10", m.recallAt10());
      out.put("mrr@10", m.mrrAt10());
      return out;
    }
  }
}
