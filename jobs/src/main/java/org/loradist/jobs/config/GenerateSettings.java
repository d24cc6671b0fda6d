package org.loradist.jobs.config;

import static org.loradist.jobs.config.Setting.bool;
import static org.loradist.jobs.config.Setting.decimal;
import static org.loradist.jobs.config.Setting.integer;
import static org.loradist.jobs.config.Setting.string;

import java.util.List;

/** The keys of {@code lora-dist generate} (generate.*): a decoder continuing one prompt. */
public final class GenerateSettings {
  private GenerateSettings() {}

  public static final Setting MODEL = string("generate.model", "",
      "A GPT-2 model directory in Hugging Face layout (config.json with model_type gpt2, model.safetensors, "
          + "tokenizer.json).");
  public static final Setting ADAPTER = string("generate.adapter", "",
      "A causal-lm adapter folder (PEFT layout, e.g. a train output's adapter/) trained on that model; empty: the "
          + "base model alone.");
  public static final Setting PROMPT = string("generate.prompt", "",
      "The text to continue, as is (the same template as the training prompts, if any).");
  public static final Setting MAX_NEW_TOKENS = integer("generate.max-new-tokens", 64, 1, 1 << 20,
      "At most this many new tokens; fewer at end of text or at the model's last position.");
  public static final Setting GREEDY = bool("generate.greedy", false,
      "Always take the most likely token (deterministic; temperature, top-k and top-p are then ignored).");
  public static final Setting TEMPERATURE = decimal("generate.temperature", 1.0, 1e-3, 100,
      "Sampling: divides the logits before top-k/top-p.");
  public static final Setting TOP_K = integer("generate.top-k", 50, 0, Integer.MAX_VALUE,
      "Sampling: keep the k most likely tokens; 0: all.");
  public static final Setting TOP_P = decimal("generate.top-p", 0.95, 1e-6, 1,
      "Sampling: keep the smallest set of most likely tokens whose probability reaches p (nucleus); 1: all.");

  public static final List<Setting> ALL = List.of(MODEL, ADAPTER, PROMPT, MAX_NEW_TOKENS, GREEDY, TEMPERATURE, TOP_K,
      TOP_P);
}
