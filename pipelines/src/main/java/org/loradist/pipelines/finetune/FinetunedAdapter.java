package org.loradist.pipelines.finetune;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.loradist.lora.LoraConfig;
import org.loradist.lora.PeftAdapter;
import org.loradist.lora.PeftFormat;
import org.loradist.train.lora.LoraTask;
import org.loradist.train.lora.LoraTraining;
import org.loradist.weights.HostTensor;

/**
 * A trained adapter with what inference needs beside it (task, base model, truncation, class names), in a form that
 * Spark can ship to executors ({@link PeftAdapter} holds byte buffers and is not serialisable). On disk it is the
 * train command's adapter folder: the PEFT files plus {@code lora_dist.json}, on any Hadoop path.
 *
 * @param labels class names by index (classification), empty for retrieval
 */
public record FinetunedAdapter(LoraTask task, String modelPath, int maxTokens, List<String> labels, LoraConfig config,
    String taskType, String baseModel, String modelPrefix, LinkedHashMap<String, Tensor> loraTensors,
    LinkedHashMap<String, Tensor> savedModules) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One tensor's shape and float32 values. */
  public record Tensor(long[] shape, float[] values) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  public FinetunedAdapter {
    labels = List.copyOf(labels);
    if (task == LoraTask.CLASSIFICATION && labels.size() < 2) {
      throw new IllegalArgumentException("a classification adapter needs at least 2 class names, got " + labels);
    }
  }

  public static FinetunedAdapter of(PeftAdapter a, LoraTask task, String modelPath, int maxTokens,
      List<String> labels) {
    return new FinetunedAdapter(task, modelPath, maxTokens, labels, a.config(), a.taskType(), a.baseModel(),
        a.modelPrefix(), tensors(a.loraTensors()), tensors(a.savedModules()));
  }

  public PeftAdapter peft() {
    return new PeftAdapter(config, taskType, baseModel, modelPrefix, hostTensors(loraTensors),
        hostTensors(savedModules));
  }

  /** Writes the PEFT files and {@code lora_dist.json} into {@code dir} (any Hadoop path). */
  public void write(String dir, Configuration conf) throws IOException {
    LoraTraining.writeAdapterThroughTemp(conf, dir, peft(), sidecar());
  }

  /**
   * Reads an adapter folder (any Hadoop path) as written by {@link #write} or by {@code lora-dist train}; its
   * {@code lora_dist.json} says the task, base model, truncation and class names.
   */
  public static FinetunedAdapter read(String dir, Configuration conf) throws IOException {
    org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(dir);
    FileSystem fs = source.getFileSystem(conf);
    if (!fs.isDirectory(source)) {
      throw new IOException("adapter folder not found: " + dir);
    }
    Path tmp = Files.createTempDirectory("lora-adapter");
    try {
      for (FileStatus st : fs.listStatus(source)) {
        if (st.isFile()) {
          try (InputStream in = fs.open(st.getPath())) {
            Files.copy(in, tmp.resolve(st.getPath().getName()));
          }
        }
      }
      return readLocal(tmp, dir);
    } finally {
      deleteFlat(tmp);
    }
  }

  private static FinetunedAdapter readLocal(Path dir, String origin) throws IOException {
    PeftAdapter peft = PeftFormat.read(dir);
    Path sidecar = dir.resolve(LoraTraining.SIDECAR_FILE);
    if (!Files.isRegularFile(sidecar)) {
      throw new IOException(origin + " has no " + LoraTraining.SIDECAR_FILE + " (task, base model and class names "
          + "of a lora-dist adapter); a PEFT-only folder can be merged with 'lora-dist export --merge'");
    }
    JsonObject o;
    try {
      o = JsonParser.parseString(Files.readString(sidecar, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException(origin + "/" + LoraTraining.SIDECAR_FILE + ": not a JSON object (" + e.getMessage() + ")",
          e);
    }
    for (String key : List.of("task", "model_path", "max_tokens")) {
      if (!o.has(key)) {
        throw new IOException(origin + "/" + LoraTraining.SIDECAR_FILE + ": key '" + key + "' is missing");
      }
    }
    List<String> labels = new ArrayList<>();
    if (o.has("labels")) {
      o.getAsJsonArray("labels").forEach(e -> labels.add(e.getAsString()));
    }
    return of(peft, LoraTask.parse(o.get("task").getAsString()), o.get("model_path").getAsString(),
        o.get("max_tokens").getAsInt(), labels);
  }

  private String sidecar() {
    JsonObject o = new JsonObject();
    o.addProperty("task", task.name().toLowerCase(Locale.ROOT));
    o.addProperty("model_path", modelPath);
    o.addProperty("max_tokens", maxTokens);
    o.addProperty("pooling", "mean");
    JsonArray l = new JsonArray();
    labels.forEach(l::add);
    o.add("labels", l);
    return new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
  }

  private static LinkedHashMap<String, Tensor> tensors(Map<String, HostTensor> in) {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    in.forEach((k, v) -> out.put(k, new Tensor(v.shape().clone(), v.toFloats())));
    return out;
  }

  private static Map<String, HostTensor> hostTensors(Map<String, Tensor> in) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    in.forEach((k, v) -> out.put(k, HostTensor.ofFloats(v.shape(), v.values())));
    return out;
  }

  private static void deleteFlat(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }
}
