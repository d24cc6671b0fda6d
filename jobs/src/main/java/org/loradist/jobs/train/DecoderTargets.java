package org.loradist.jobs.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.TrainSettings;
import org.loradist.lora.LoraConfig;
import org.loradist.model.Gpt2Config;
import org.loradist.model.Gpt2Model;
import org.loradist.train.lora.DecoderTraining;
import org.loradist.train.lora.LoraTask;

/**
 * Checks at start that {@code --targets} names GPT-2 modules, from the model's config.json alone: otherwise the
 * mistake (say, BERT's {@code query}) would only show on the executors, after Spark has started.
 */
final class DecoderTargets {
  private DecoderTargets() {}

  static void require(JobConfig c, LoraTask task) {
    String model = c.string(TrainSettings.MODEL);
    LoraConfig lora = DecoderTraining.decoderLora(LoraConfig.of(c.integer(TrainSettings.RANK),
        c.decimal(TrainSettings.ALPHA), c.decimal(TrainSettings.DROPOUT), c.list(TrainSettings.TARGETS)), task);
    List<String> linears;
    try {
      Map<String, long[]> shapes = Gpt2Model.parameterShapes(Gpt2Config.fromJson(Path.of(model, "config.json")));
      // the Conv1D layers: 2-D weights but the embeddings
      linears = shapes.entrySet().stream().filter(e -> e.getValue().length == 2 && e.getKey().startsWith("h."))
          .map(e -> e.getKey().substring(0, e.getKey().length() - ".weight".length())).toList();
    } catch (IOException e) {
      throw new ConfigException(e.getMessage() + " (--model, config key 'train.model')");
    }
    if (linears.stream().noneMatch(lora::targets)) {
      throw new ConfigException("--targets " + String.join(",", lora.targetModules()) + " (config key '"
          + TrainSettings.TARGETS.key() + "') names no module of the GPT-2 at " + model + "; its modules are "
          + "c_attn, c_proj and c_fc (e.g. " + linears.get(0) + ")");
    }
  }
}
