package org.loradist.jobs.train;

import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.model.ModelArchitecture;
import org.loradist.pipelines.finetune.FinetunedAdapter;
import org.loradist.train.lora.LoraTask;
import org.loradist.train.lora.LoraTrainingConfig;
import org.loradist.train.lora.LoraTrainingResult;

/**
 * What differs between the things {@code lora-dist train} can train: which fields the inputs need, how rows become
 * examples, which entry point trains them and how the result is evaluated against which baseline. The command does
 * the rest (work folder, resume, outputs). A new task is one more implementation and one more case in {@link #of}.
 */
public interface TrainTask {

  /**
   * The task named by {@code train.task} for a model of architecture {@code arch} (at {@code modelPath}, named in
   * refusals): encoders train classification and retrieval, decoders classification and causal-lm.
   */
  static TrainTask of(String name, ModelArchitecture arch, String modelPath) {
    return switch (name) {
      case "classification" -> arch.isDecoder() ? new DecoderClassificationTask() : new ClassificationTask();
      case "retrieval" -> {
        if (arch.isDecoder()) {
          throw new ConfigException("retrieval needs an encoder model (config.json model_type bert); " + modelPath
              + " is " + arch.modelType());
        }
        yield new RetrievalTask();
      }
      case "causal-lm" -> {
        if (!arch.isDecoder()) {
          throw new ConfigException("causal-lm needs a decoder model (config.json model_type gpt2); "
              + (modelPath.equals("default") ? "default (the bundled all-MiniLM-L6-v2)" : modelPath) + " is "
              + arch.modelType());
        }
        yield new CausalLmTask();
      }
      case "" -> throw new ConfigException("missing --task (config key 'train.task'): classification, retrieval or "
          + "causal-lm");
      default -> throw new ConfigException("unknown task '" + name + "' for --task (config key 'train.task'); "
          + "expected classification, retrieval or causal-lm");
    };
  }

  LoraTask loraTask();

  /** Checks the inputs' fields (and what else a look at them shows) without Spark; one line on failure. */
  void validate(JobConfig config);

  /** Reads the training, evaluation and replay inputs into examples and rejects. */
  Prepared prepare(SparkSession spark, JobConfig config);

  /** A task's examples, ready to train and evaluate. */
  interface Prepared {
    /** Rows read, examples made and rows rejected, per input. */
    InputRejects rejects();

    /** One line for the console: "1200 examples, 12 classes". */
    String describe();

    LoraTrainingResult train(SparkSession spark, LoraTrainingConfig config, String dir, String resumeFrom);

    /** The trained adapter and the baseline on the evaluation examples; null without {@code --eval}. */
    EvalReport evaluate(SparkSession spark, FinetunedAdapter adapter);
  }
}
