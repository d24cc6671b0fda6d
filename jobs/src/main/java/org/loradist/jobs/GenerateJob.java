package org.loradist.jobs;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.loradist.jobs.cli.Command;
import org.loradist.jobs.cli.Flag;
import org.loradist.jobs.cli.JobContext;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.GenerateSettings;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.Settings;
import org.loradist.lora.AdaptedDecoder;
import org.loradist.lora.PeftAdapter;
import org.loradist.lora.PeftFormat;
import org.loradist.model.GenerationConfig;
import org.loradist.model.ModelArchitecture;

/**
 * {@code lora-dist generate}: a GPT-2 (with a causal-lm adapter, or without) continues one prompt; the continuation,
 * and nothing else, goes to stdout. One prompt on one machine needs no cluster, so no Spark session is opened.
 */
public final class GenerateJob implements Command {

  @Override
  public String name() {
    return "generate";
  }

  @Override
  public String summary() {
    return "continue a prompt with a GPT-2 model and optionally a causal-lm adapter (prints the continuation)";
  }

  @Override
  public List<Flag> flags() {
    return List.of(
        Flag.of("--model", GenerateSettings.MODEL),
        Flag.of("--adapter", GenerateSettings.ADAPTER),
        Flag.of("--prompt", GenerateSettings.PROMPT),
        Flag.of("--max-new-tokens", GenerateSettings.MAX_NEW_TOKENS),
        Flag.of("--greedy", GenerateSettings.GREEDY),
        Flag.of("--temperature", GenerateSettings.TEMPERATURE),
        Flag.of("--top-k", GenerateSettings.TOP_K),
        Flag.of("--top-p", GenerateSettings.TOP_P),
        new Flag("--seed", Settings.SEED, "Sampling seed: the same seed, prompt, model and adapter give the same "
            + "text."));
  }

  @Override
  public void validate(JobContext ctx) {
    JobConfig c = ctx.config();
    String model = c.required(GenerateSettings.MODEL, "--model");
    c.required(GenerateSettings.PROMPT, "--prompt");
    ModelArchitecture arch;
    try {
      arch = ModelArchitecture.of(model);
    } catch (IOException e) {
      throw new ConfigException(e.getMessage() + " (--model, config key '" + GenerateSettings.MODEL.key() + "')");
    }
    if (!arch.isDecoder()) {
      throw new ConfigException("generate needs a decoder model (config.json model_type gpt2); " + model + " is "
          + arch.modelType());
    }
    adapter(c);
  }

  /** The adapter named by generate.adapter, checked to be one that generates; null when none is named. */
  private static PeftAdapter adapter(JobConfig c) {
    String dir = c.string(GenerateSettings.ADAPTER);
    if (dir.isEmpty()) {
      return null;
    }
    if (!new File(dir).isDirectory()) {
      throw new ConfigException("adapter directory not found: " + dir + " (--adapter, config key '"
          + GenerateSettings.ADAPTER.key() + "')");
    }
    PeftAdapter a;
    try {
      a = PeftFormat.read(Path.of(dir));
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(e.getMessage() + " (--adapter)");
    }
    if (!PeftAdapter.CAUSAL_LM.equals(a.taskType())) {
      throw new ConfigException("adapter " + dir + " has task_type " + a.taskType() + "; generate needs a causal-lm "
          + "adapter (task_type " + PeftAdapter.CAUSAL_LM + ", from lora-dist train --task causal-lm)");
    }
    return a;
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    JobConfig c = ctx.config();
    String model = c.string(GenerateSettings.MODEL);
    PeftAdapter adapter = adapter(c);
    AdaptedDecoder decoder;
    try {
      decoder = AdaptedDecoder.load(model, adapter);
    } catch (IllegalArgumentException e) {
      if (adapter == null) {
        throw e;
      }
      // an adapter whose modules or shapes are not the model's: trained on another base
      throw new ConfigException("adapter " + c.string(GenerateSettings.ADAPTER) + " does not fit model " + model
          + " (trained on another base?): " + e.getMessage());
    }
    try (decoder) {
      int maxNew = c.integer(GenerateSettings.MAX_NEW_TOKENS);
      GenerationConfig config = c.bool(GenerateSettings.GREEDY)
          ? GenerationConfig.greedy(maxNew, decoder.eosTokenId())
          : GenerationConfig.sampling(maxNew, decoder.eosTokenId(), c.longValue(Settings.SEED)).withSampling(
              c.decimal(GenerateSettings.TEMPERATURE), c.integer(GenerateSettings.TOP_K),
              c.decimal(GenerateSettings.TOP_P));
      ctx.out().println(decoder.generate(c.string(GenerateSettings.PROMPT), config));
    }
  }
}
