package org.loradist.lora;

import java.io.Serializable;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What LoRA adds to an encoder, with the meaning and defaults of Hugging Face PEFT's {@code LoraConfig}.
 *
 * @param rank r, the inner dimension of {@code B A}
 * @param alpha scaling numerator: the update is {@code (alpha / r) B A x}, or {@code (alpha / sqrt(r)) B A x} with
 *     {@code useRsLora}
 * @param dropout dropout on the adapter's input (PEFT's lora_dropout); the base path never sees it
 * @param targetModules module-name suffixes (PEFT's list form: a module matches when its name equals an entry or
 *     ends with "." + entry), used when {@code targetRegex} is null
 * @param targetRegex a regex that must match a whole Hugging Face module name (PEFT's string form), or null
 * @param bias only "none": biases stay frozen (PEFT's "all" / "lora_only" are refused, not silently ignored)
 * @param modulesToSave modules trained in full and saved with the adapter (e.g. "classifier")
 * @param useRsLora rank-stabilised scaling alpha / sqrt(r)
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targetModules, String targetRegex,
    String bias, List<String> modulesToSave, boolean useRsLora) implements Serializable {

  /** PEFT's defaults for BERT-style models: attention query and value. */
  public static final List<String> DEFAULT_TARGETS = List.of("query", "value");

  public LoraConfig {
    if (rank < 1) {
      throw new IllegalArgumentException("LoRA rank r must be >= 1, got " + rank);
    }
    if (!(alpha > 0) || !Double.isFinite(alpha)) {
      throw new IllegalArgumentException("lora_alpha must be a positive number, got " + alpha);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + dropout);
    }
    targetModules = targetModules == null ? List.of() : List.copyOf(targetModules);
    if (targetRegex != null) {
      try {
        Pattern.compile(targetRegex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("target_modules regex '" + targetRegex + "' is not a regex: "
            + e.getDescription());
      }
      if (!targetModules.isEmpty()) {
        throw new IllegalArgumentException("give target modules as names or as a regex, not both");
      }
    } else if (targetModules.isEmpty()) {
      throw new IllegalArgumentException("target_modules is empty: name at least one module (e.g. query, value)");
    }
    for (String t : targetModules) {
      if (t == null || t.isBlank()) {
        throw new IllegalArgumentException("target_modules has an empty entry: " + targetModules);
      }
    }
    bias = bias == null ? "none" : bias;
    if (!bias.equals("none")) {
      throw new IllegalArgumentException("bias '" + bias + "' is not supported; only 'none' (biases stay frozen)");
    }
    modulesToSave = modulesToSave == null ? List.of() : List.copyOf(modulesToSave);
  }

  /** r 8, alpha 16, dropout 0.1 on query and value: the usual starting point for a BERT-size encoder. */
  public static LoraConfig defaults() {
    return new LoraConfig(8, 16, 0.1, DEFAULT_TARGETS, null, "none", List.of(), false);
  }

  public static LoraConfig of(int rank, double alpha, double dropout, List<String> targetModules) {
    return new LoraConfig(rank, alpha, dropout, targetModules, null, "none", List.of(), false);
  }

  /** The factor in front of {@code B A x}. */
  public double scaling() {
    return useRsLora ? alpha / Math.sqrt(rank) : alpha / rank;
  }

  /** Whether a Hugging Face module name (e.g. encoder.layer.0.attention.self.query) is a target. */
  public boolean targets(String moduleName) {
    if (targetRegex != null) {
      return Pattern.matches(targetRegex, moduleName);
    }
    for (String t : targetModules) {
      if (moduleName.equals(t) || moduleName.endsWith("." + t)) {
        return true;
      }
    }
    return false;
  }

  /** The target pattern as a user wrote it, for messages. */
  public String describeTargets() {
    return targetRegex != null ? "regex '" + targetRegex + "'" : "names " + targetModules;
  }

  public LoraConfig withRank(int r) {
    return new LoraConfig(r, alpha, dropout, targetModules, targetRegex, bias, modulesToSave, useRsLora);
  }

  public LoraConfig withAlpha(double a) {
    return new LoraConfig(rank, a, dropout, targetModules, targetRegex, bias, modulesToSave, useRsLora);
  }

  public LoraConfig withDropout(double p) {
    return new LoraConfig(rank, alpha, p, targetModules, targetRegex, bias, modulesToSave, useRsLora);
  }

  public LoraConfig withTargetModules(List<String> names) {
    return new LoraConfig(rank, alpha, dropout, names, null, bias, modulesToSave, useRsLora);
  }

  public LoraConfig withTargetRegex(String regex) {
    return new LoraConfig(rank, alpha, dropout, List.of(), regex, bias, modulesToSave, useRsLora);
  }

  public LoraConfig withModulesToSave(List<String> modules) {
    return new LoraConfig(rank, alpha, dropout, targetModules, targetRegex, bias, modules, useRsLora);
  }

  public LoraConfig withRsLora(boolean rs) {
    return new LoraConfig(rank, alpha, dropout, targetModules, targetRegex, bias, modulesToSave, rs);
  }
}
