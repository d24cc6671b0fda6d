package org.loradist.jobs.config;

import static org.loradist.jobs.config.Setting.bool;
import static org.loradist.jobs.config.Setting.choice;
import static org.loradist.jobs.config.Setting.decimal;
import static org.loradist.jobs.config.Setting.integer;
import static org.loradist.jobs.config.Setting.list;
import static org.loradist.jobs.config.Setting.longValue;
import static org.loradist.jobs.config.Setting.string;

import java.util.List;
import org.loradist.lora.LoraConfig;

/** The keys of {@code lora-dist train} (train.*) and {@code lora-dist export} (export.*). */
public final class TrainSettings {
  private TrainSettings() {}

  private static final int MAX = Integer.MAX_VALUE;

  public static final Setting TASK = string("train.task", "",
      "What to train: classification (text -> label; encoder or decoder), retrieval ((query, passage) pairs; "
          + "encoder) or causal-lm ((prompt, response) records, loss on the response; decoder). The model's "
          + "config.json model_type decides encoder (bert) or decoder (gpt2).");
  public static final Setting TRAIN = string("train.train", "",
      "Training examples: a jsonl or parquet file or folder (gzip too).");
  public static final Setting EVAL = string("train.eval", "",
      "Held-out examples (same fields as the training data) for eval.json and report.html; empty: no evaluation.");
  public static final Setting OUTPUT = string("train.output", "",
      "Output folder; receives adapter/, checkpoints/, metrics.jsonl, eval.json, report.html, rejects/, "
          + "_manifest.json.");
  public static final Setting MODEL = string("train.model", "default",
      "'default' (bundled all-MiniLM-L6-v2) or a Hugging Face model directory (config.json, model.safetensors, "
          + "tokenizer.json) of a BERT encoder or a GPT-2 decoder.");
  public static final Setting EPOCHS = decimal("train.epochs", 1, 0.001, 10_000,
      "Passes over the training examples, when max-steps is 0.");
  public static final Setting MAX_STEPS = longValue("train.max-steps", 0, 0, 1_000_000_000L,
      "Optimizer steps; 0: derive them from epochs.");
  public static final Setting BATCH_SIZE = integer("train.batch-size", 32, 1, 1 << 16,
      "Global batch per optimizer step, across all workers (replay examples included).");
  public static final Setting ACCUMULATION = integer("train.accumulation-steps", 1, 1, 1024,
      "Micro-batches per step (gradients summed before the update); batch-size must be a multiple.");
  public static final Setting LR = decimal("train.lr", 0, 0, 1,
      "Peak AdamW learning rate; 0: the task's default (classification 1e-3, retrieval and causal-lm 2e-4).");
  public static final Setting WARMUP = decimal("train.warmup-ratio", 0.06, 0, 0.99,
      "Share of the steps spent in linear warmup, then linear decay.");
  public static final Setting WEIGHT_DECAY = decimal("train.weight-decay", 0.01, 0, 10,
      "Decoupled (AdamW) weight decay, not applied to biases.");
  public static final Setting CLASS_WEIGHTS = choice("train.class-weights", "none",
      "classification: weights of the classes in the loss; balanced: n / (classes x count of the class), as "
          + "scikit-learn's class_weight='balanced', for skewed labels where macro-F1 matters.", "none", "balanced");
  public static final Setting RANK = integer("train.rank", 8, 1, 4096, "LoRA rank r.");
  public static final Setting ALPHA = decimal("train.alpha", 16, 1e-6, 1e6,
      "LoRA alpha: the update is scaled by alpha / r.");
  public static final Setting DROPOUT = decimal("train.dropout", 0.1, 0, 0.99, "Dropout on the adapters' input.");
  public static final Setting TARGETS = list("train.targets", LoraConfig.DEFAULT_TARGETS,
      "Module-name suffixes that get adapters (Hugging Face names: query, key, value, dense, ... for BERT; c_attn, "
          + "c_proj, c_fc for GPT-2, where the default query,value means c_attn).");
  public static final Setting WORKERS = integer("train.workers", 1, 1, 4096,
      "Data-parallel workers: barrier tasks, one model replica each; needs as many free task slots.");
  public static final Setting MAX_TOKENS = integer("train.max-tokens", 128, 3, 8192,
      "Truncation length in tokens, [CLS]/[SEP] included (causal-lm: prompt + response + EOS, the prompt cut "
          + "from its start, to at most half).");
  public static final Setting CHECKPOINT_EVERY = integer("train.checkpoint-every", 25, 1, MAX,
      "Steps per Spark barrier stage; a checkpoint and a progress line after each.");
  public static final Setting KEEP_CHECKPOINTS = integer("train.keep-checkpoints", 2, 0, MAX,
      "Newest checkpoints kept; 0: all.");
  public static final Setting TEXT_FIELD = string("train.text-field", "text",
      "classification: field holding the text.");
  public static final Setting ID_FIELD = string("train.id-field", "",
      "Field naming each example in rejects and messages; empty: its row number.");
  public static final Setting LABEL_FIELD = string("train.label-field", "label",
      "classification: field holding the label (any type, by its string form).");
  public static final Setting QUERY_FIELD = string("train.query-field", "query", "retrieval: field holding the query.");
  public static final Setting PASSAGE_FIELD = string("train.passage-field", "passage",
      "retrieval: field holding the passage that answers the query.");
  public static final Setting PROMPT_FIELD = string("train.prompt-field", "prompt",
      "causal-lm: field holding the prompt, used as is (apply any template, e.g. Alpaca's, beforehand; for raw "
          + "Alpaca data without input: instruction).");
  public static final Setting RESPONSE_FIELD = string("train.response-field", "response",
      "causal-lm: field holding the response the model learns to write (Alpaca: output).");
  public static final Setting REPLAY = string("train.replay", "",
      "Reference examples replayed to keep the base model's behaviour (classification: text, label optional; "
          + "retrieval: query and passage; causal-lm: prompt and response); empty: no replay.");
  public static final Setting REPLAY_FRACTION = decimal("train.replay-fraction", 0, 0, 0.5,
      "Share of each batch drawn from the replay examples (e.g. 0.02-0.05).");
  public static final Setting REPLAY_PENALTY = decimal("train.replay-penalty", 0, 0, 1e6,
      "Weight of the penalty keeping outputs on replay examples close to the base model's (KL of the class "
          + "probabilities for classification, cosine distance of embeddings for retrieval, KL of the next-token "
          + "distributions for causal-lm); 0: none.");

  public static final Setting EXPORT_ADAPTER = string("export.adapter", "",
      "Adapter folder in PEFT layout (adapter_config.json, adapter_model.safetensors), e.g. a train output's adapter/.");
  public static final Setting EXPORT_OUTPUT = string("export.output", "",
      "Output folder: the validated adapter, or with merge a full Hugging Face model.");
  public static final Setting EXPORT_MERGE = bool("export.merge", false,
      "Fold the adapter into the base weights and write config.json, model.safetensors and tokenizer.json.");
  public static final Setting EXPORT_MODEL = string("export.model", "",
      "Base model to merge into: 'default' or a Hugging Face directory; empty: the one the adapter was trained on.");

  public static final List<Setting> ALL = List.of(TASK, TRAIN, EVAL, OUTPUT, MODEL, EPOCHS, MAX_STEPS, BATCH_SIZE,
      ACCUMULATION, LR, WARMUP, WEIGHT_DECAY, CLASS_WEIGHTS, RANK, ALPHA, DROPOUT, TARGETS, WORKERS, MAX_TOKENS, CHECKPOINT_EVERY,
      KEEP_CHECKPOINTS, TEXT_FIELD, ID_FIELD, LABEL_FIELD, QUERY_FIELD, PASSAGE_FIELD, PROMPT_FIELD, RESPONSE_FIELD, REPLAY, REPLAY_FRACTION,
      REPLAY_PENALTY, EXPORT_ADAPTER, EXPORT_OUTPUT, EXPORT_MERGE, EXPORT_MODEL);
}
