package org.loradist.jobs.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.TrainSettings;
import org.loradist.lora.AdaptedDecoder;
import org.loradist.pipelines.finetune.FinetunedAdapter;
import org.loradist.train.lora.DecoderTraining;
import org.loradist.train.lora.Evaluation;
import org.loradist.train.lora.Examples;
import org.loradist.train.lora.LoraTask;
import org.loradist.train.lora.LoraTrainingConfig;
import org.loradist.train.lora.LoraTrainingResult;
import org.loradist.train.lora.PromptResponse;

/**
 * (prompt, response) records on a GPT-2: next-token loss on the response and EOS, the prompt read but not learnt.
 * Evaluation: the mean loss per response token and its perplexity on the evaluation records, for the adapter and for
 * the base model without it (the baseline); lower wins. Both are computed on the driver.
 */
final class CausalLmTask implements TrainTask {

  @Override
  public LoraTask loraTask() {
    return LoraTask.CAUSAL_LM;
  }

  @Override
  public void validate(JobConfig c) {
    DecoderTargets.require(c, LoraTask.CAUSAL_LM);
    ExampleInputs.requireFields(c,
        new ExampleInputs.Field(TrainSettings.PROMPT_FIELD, "prompt", "--prompt-field"),
        new ExampleInputs.Field(TrainSettings.RESPONSE_FIELD, "response", "--response-field"));
  }

  @Override
  public TrainTask.Prepared prepare(SparkSession spark, JobConfig c) {
    ExampleInputs<PromptResponse> in = ExampleInputs.read(spark, c, "(prompt, response) record",
        rows -> Examples.causalLm(rows, c.string(TrainSettings.ID_FIELD), c.string(TrainSettings.PROMPT_FIELD),
            c.string(TrainSettings.RESPONSE_FIELD)));
    return new Prepared(in.train(), in.eval(), in.replay(), in.rejects());
  }

  private record Prepared(List<PromptResponse> train, List<PromptResponse> eval, List<PromptResponse> replay,
      InputRejects rejects) implements TrainTask.Prepared {

    @Override
    public String describe() {
      return train.size() + " (prompt, response) records" + (eval == null ? "" : ", " + eval.size()
          + " evaluation records") + (replay.isEmpty() ? "" : ", " + replay.size() + " replay records");
    }

    @Override
    public LoraTrainingResult train(SparkSession spark, LoraTrainingConfig config, String dir, String resumeFrom) {
      return DecoderTraining.trainCausalLm(spark, train, replay, config, dir, resumeFrom);
    }

    @Override
    public EvalReport evaluate(SparkSession spark, FinetunedAdapter adapter) {
      if (eval == null) {
        return null;
      }
      long t0 = System.nanoTime();
      Evaluation.CausalLmMetrics lora = score(adapter, true);
      long t1 = System.nanoTime();
      Evaluation.CausalLmMetrics base = score(adapter, false);
      Map<String, Object> facts = new LinkedHashMap<>();
      facts.put("eval_examples", lora.examples());
      facts.put("eval_target_tokens", lora.tokens());
      facts.put("lora_eval_seconds", Math.round((t1 - t0) / 1e7) / 100.0);
      facts.put("baseline_seconds", Math.round((System.nanoTime() - t1) / 1e7) / 100.0);
      return new EvalReport("causal-lm", metrics(lora), metrics(base), "the base model without adapter", "loss",
          facts, false, true);
    }

    private Evaluation.CausalLmMetrics score(FinetunedAdapter adapter, boolean withAdapter) {
      try (AdaptedDecoder model = AdaptedDecoder.load(adapter.modelPath(), withAdapter ? adapter.peft() : null)) {
        return Evaluation.causalLm(model, eval, adapter.maxTokens());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static Map<String, Double> metrics(Evaluation.CausalLmMetrics m) {
      Map<String, Double> out = new LinkedHashMap<>();
      out.put("loss", m.loss());
      out.put("perplexity", m.perplexity());
      return out;
    }
  }
}
