package org.loradist.jobs;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.loradist.jobs.cli.Command;
import org.loradist.jobs.cli.Flag;
import org.loradist.jobs.cli.JobContext;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.TrainSettings;
import org.loradist.jobs.output.AtomicOutput;
import org.loradist.jobs.output.InputFingerprint;
import org.loradist.jobs.output.Manifest;
import org.loradist.lora.LoraMerge;
import org.loradist.lora.PeftAdapter;
import org.loradist.lora.PeftFormat;
import org.loradist.train.lora.LoraTraining;
import org.loradist.weights.ModelCache;

/**
 * {@code lora-dist export}: an adapter folder in Hugging Face PEFT layout, read and checked (config keys, tensor
 * names, A/B pairs and ranks) and written out again; with {@code --merge}, folded into its base model as a plain
 * Hugging Face model folder (config.json, model.safetensors, tokenizer.json, 1_Pooling/config.json; a classifier head
 * beside it in classifier.safetensors) that {@code embed --model} and sentence-transformers load. Needs no Spark.
 */
public final class ExportJob implements Command {

  @Override
  public String name() {
    return "export";
  }

  @Override
  public String summary() {
    return "check and copy a PEFT adapter, or merge it into its base model as a Hugging Face model folder";
  }

  @Override
  public List<Flag> flags() {
    return List.of(
        Flag.of("--adapter", TrainSettings.EXPORT_ADAPTER),
        Flag.of("--output", TrainSettings.EXPORT_OUTPUT),
        Flag.of("--merge", TrainSettings.EXPORT_MERGE),
        Flag.of("--model", TrainSettings.EXPORT_MODEL));
  }

  @Override
  public void validate(JobContext ctx) {
    JobConfig c = ctx.config();
    String adapter = c.required(TrainSettings.EXPORT_ADAPTER, "--adapter");
    c.required(TrainSettings.EXPORT_OUTPUT, "--output");
    try {
      Path config = new Path(adapter, PeftFormat.CONFIG_FILE);
      if (!config.getFileSystem(new Configuration()).exists(config)) {
        throw new ConfigException("adapter folder " + adapter + " has no " + PeftFormat.CONFIG_FILE
            + " (--adapter, config key 'export.adapter')");
      }
    } catch (IOException e) {
      // a file system only the cluster can reach: checked when the job reads it
    }
    String model = c.string(TrainSettings.EXPORT_MODEL);
    if (!model.isEmpty() && !model.equals("default") && !new java.io.File(model).isDirectory()) {
      throw new ConfigException("model directory not found: " + model + " (--model, config key 'export.model')");
    }
    if (!model.isEmpty() && !c.bool(TrainSettings.EXPORT_MERGE)) {
      throw new ConfigException("--model names the base to merge into; it needs --merge");
    }
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    JobConfig c = ctx.config();
    Configuration hadoop = new Configuration();
    String adapterDir = c.string(TrainSettings.EXPORT_ADAPTER);
    boolean merge = c.bool(TrainSettings.EXPORT_MERGE);
    java.nio.file.Path local = Files.createTempDirectory("lora-export");
    AtomicOutput out = AtomicOutput.begin(c.string(TrainSettings.EXPORT_OUTPUT), hadoop);
    try {
      Manifest manifest = new Manifest(name(), c.effective(), InputFingerprint.of(List.of(adapterDir), hadoop));
      java.nio.file.Path source = Files.createDirectories(local.resolve("adapter"));
      copyToLocal(adapterDir, source, hadoop);
      PeftAdapter adapter;
      try {
        adapter = PeftFormat.read(source);
      } catch (IOException e) {
        throw new ConfigException("not a valid PEFT adapter: " + adapterDir + ": " + e.getMessage());
      }
      manifest.count("adapted_modules", adapter.adaptedModules().size())
          .count("saved_tensors", adapter.savedModules().size()).put("rank", adapter.config().rank())
          .put("task_type", adapter.taskType());
      java.nio.file.Path result;
      String summary;
      if (merge) {
        String base = baseModel(c, adapter, source, adapterDir);
        result = LoraMerge.writeMergedModel(ModelCache.get(base), adapter, local.resolve("merged"));
        manifest.put("base_model", base);
        summary = "merged model (base " + base + ", " + adapter.adaptedModules().size() + " adapted linears)";
      } else {
        result = Files.createDirectories(local.resolve("peft"));
        PeftFormat.write(result, adapter);
        java.nio.file.Path sidecar = source.resolve(LoraTraining.SIDECAR_FILE);
        if (Files.isRegularFile(sidecar)) {
          Files.copy(sidecar, result.resolve(LoraTraining.SIDECAR_FILE));
        }
        summary = "PEFT adapter (" + adapter.adaptedModules().size() + " adapted linears, r "
            + adapter.config().rank() + ")";
      }
      manifest.lap(merge ? "merge" : "copy");
      String staging = new Path(out.part(PeftFormat.CONFIG_FILE)).getParent().toString();
      copyFromLocal(result, staging, hadoop);
      out.commit(manifest.toJson());
      ctx.out().println("lora-dist export: " + summary + " -> " + out.target());
    } catch (RuntimeException e) {
      out.abort();
      throw e;
    } finally {
      deleteTree(local);
    }
  }

  /**
   * --model when given; else the base recorded by lora-dist train (lora_dist.json); else the adapter's
   * base_model_name_or_path when it names the bundled model or a local folder.
   */
  static String baseModel(JobConfig c, PeftAdapter adapter, java.nio.file.Path source, String adapterDir)
      throws IOException {
    String given = c.string(TrainSettings.EXPORT_MODEL);
    if (!given.isEmpty()) {
      return given;
    }
    java.nio.file.Path sidecar = source.resolve(LoraTraining.SIDECAR_FILE);
    if (Files.isRegularFile(sidecar)) {
      JsonObject o = JsonParser.parseString(Files.readString(sidecar, StandardCharsets.UTF_8)).getAsJsonObject();
      if (o.has("model_path")) {
        return o.get("model_path").getAsString();
      }
    }
    String named = adapter.baseModel();
    if (named.equals(PeftAdapter.DEFAULT_BASE_MODEL)) {
      return "default";
    }
    if (!named.isEmpty() && new java.io.File(named).isDirectory()) {
      return named;
    }
    throw new ConfigException("the base model of " + adapterDir + " ('" + named + "') is not a local folder; name it "
        + "with --model (config key 'export.model')");
  }

  private static void copyToLocal(String dir, java.nio.file.Path to, Configuration conf) throws IOException {
    Path from = new Path(dir);
    FileSystem fs = from.getFileSystem(conf);
    if (!fs.isDirectory(from)) {
      throw new ConfigException("adapter folder not found: " + dir + " (--adapter)");
    }
    for (FileStatus st : fs.listStatus(from)) {
      if (st.isFile()) {
        try (InputStream in = fs.open(st.getPath())) {
          Files.copy(in, to.resolve(st.getPath().getName()));
        }
      }
    }
  }

  private static void copyFromLocal(java.nio.file.Path from, String to, Configuration conf) throws IOException {
    Path target = new Path(to);
    FileSystem toFs = target.getFileSystem(conf);
    FileSystem localFs = FileSystem.getLocal(conf);
    try (Stream<java.nio.file.Path> entries = Files.list(from)) {
      for (java.nio.file.Path p : entries.toList()) {
        if (!FileUtil.copy(localFs, new Path(p.toUri()), toFs, new Path(target, p.getFileName().toString()), false,
            conf)) {
          throw new IOException("cannot copy " + p + " to " + to);
        }
      }
    }
  }

  private static void deleteTree(java.nio.file.Path root) {
    try (Stream<java.nio.file.Path> all = Files.walk(root)) {
      for (java.nio.file.Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      // a temporary folder left behind is not worth failing an export that succeeded
    }
  }
}
