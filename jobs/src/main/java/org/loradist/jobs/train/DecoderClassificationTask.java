package org.loradist.jobs.train;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.config.JobConfig;
import org.loradist.lora.AdaptedDecoder;
import org.loradist.pipelines.finetune.FinetunedAdapter;
import org.loradist.train.lora.DecoderTraining;
import org.loradist.train.lora.Evaluation;
import org.loradist.train.lora.LabeledText;
import org.loradist.train.lora.LoraTask;
import org.loradist.train.lora.LoraTrainingConfig;
import org.loradist.train.lora.LoraTrainingResult;

/**
 * Text → label on a GPT-2: the same inputs, fields and checks as {@link ClassificationTask}; the class head reads the
 * final hidden state of the last real token. Baseline, as for encoders: logistic regression (Spark MLlib) on the
 * frozen base model's features of the training texts, here the same last-token states the head reads. Both are
 * computed on the driver, one forward pass per 16 texts.
 */
final class DecoderClassificationTask implements TrainTask {
  private final ClassificationTask reader = new ClassificationTask();

  @Override
  public LoraTask loraTask() {
    return LoraTask.CLASSIFICATION;
  }

  @Override
  public void validate(JobConfig c) {
    DecoderTargets.require(c, LoraTask.CLASSIFICATION);
    reader.validate(c);
  }

  @Override
  public TrainTask.Prepared prepare(SparkSession spark, JobConfig c) {
    return new Prepared((ClassificationTask.Prepared) reader.prepare(spark, c));
  }

  private record Prepared(ClassificationTask.Prepared data) implements TrainTask.Prepared {

    @Override
    public InputRejects rejects() {
      return data.rejects();
    }

    @Override
    public String describe() {
      return data.describe();
    }

    @Override
    public LoraTrainingResult train(SparkSession spark, LoraTrainingConfig config, String dir, String resumeFrom) {
      return DecoderTraining.trainClassifier(spark, data.train(), data.labels(), data.replay(), config, dir,
          resumeFrom);
    }

    @Override
    public EvalReport evaluate(SparkSession spark, FinetunedAdapter adapter) {
      List<LabeledText> eval = data.eval();
      if (eval == null) {
        return null;
      }
      List<String> evalTexts = eval.stream().map(LabeledText::text).toList();
      int[] gold = eval.stream().mapToInt(LabeledText::label).toArray();
      int classes = data.labels().size();
      long t0 = System.nanoTime();
      int[] predicted;
      try (AdaptedDecoder tuned = AdaptedDecoder.load(adapter.modelPath(), adapter.peft(), adapter.maxTokens())) {
        predicted = argMax(tuned.logits(evalTexts));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      Evaluation.ClassificationMetrics lora = Evaluation.classification(gold, predicted, classes);
      long t1 = System.nanoTime();

      float[][] trainX;
      float[][] evalX;
      try (AdaptedDecoder base = AdaptedDecoder.load(adapter.modelPath(), null, adapter.maxTokens())) {
        trainX = base.lastTokenStates(data.train().stream().map(LabeledText::text).toList());
        evalX = base.lastTokenStates(evalTexts);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      double[] fitInfo = new double[2];
      int[] baselinePredicted = ClassificationTask.logisticRegression(spark, trainX,
          data.train().stream().mapToInt(LabeledText::label).toArray(), evalX, fitInfo);
      Evaluation.ClassificationMetrics baseline = Evaluation.classification(gold, baselinePredicted, classes);

      Map<String, Object> facts = new LinkedHashMap<>();
      facts.put("eval_examples", eval.size());
      facts.put("classes", classes);
      facts.put("labels", data.labels());
      facts.put("baseline_reg_param", fitInfo[0]);
      facts.put("baseline_iterations", (int) fitInfo[1]);
      facts.put("lora_eval_seconds", Math.round((t1 - t0) / 1e7) / 100.0);
      facts.put("baseline_seconds", Math.round((System.nanoTime() - t1) / 1e7) / 100.0);
      return new EvalReport("classification", metrics(lora), metrics(baseline),
          "logistic regression (Spark MLlib) on the frozen base model's last-token states", "accuracy", facts, true);
    }

    private static int[] argMax(float[][] logits) {
      int[] out = new int[logits.length];
      for (int i = 0; i < logits.length; i++) {
        for (int k = 1; k < logits[i].length; k++) {
          if (logits[i][k] > logits[i][out[i]]) {
            out[i] = k;
          }
        }
      }
      return out;
    }

    private static Map<String, Double> metrics(Evaluation.ClassificationMetrics m) {
      Map<String, Double> out = new LinkedHashMap<>();
      out.put("accuracy", m.accuracy());
      out.put("macro_f1", m.macroF1());
      return out;
    }
  }
}
