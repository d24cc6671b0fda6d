package org.loradist.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.lora.AdaptedModel;
import org.loradist.lora.LoraConfig;
import org.loradist.lora.LoraInjector;
import org.loradist.lora.PeftAdapter;
import org.loradist.lora.PeftFormat;
import org.loradist.pipelines.Schemas;
import org.loradist.train.TensorSpec;
import org.loradist.weights.ModelCache;

/**
 * {@code lora-dist export} on an adapter for the bundled MiniLM (random A and B, so the merge changes every adapted
 * weight): the PEFT copy round-trips, and the merged model, loaded by {@code embed --model}, embeds as base +
 * adapter does.
 */
class ExportJobTest {
  @TempDir
  Path dir;

  static PeftAdapter randomAdapter() throws Exception {
    LoraConfig config = LoraConfig.of(4, 8, 0, List.of("query", "value"));
    List<TensorSpec> specs = LoraInjector.inject(ModelCache.get("default").newEncoder(), config).specs();
    Random random = new Random(3);
    float[][] values = new float[specs.size()][];
    for (int i = 0; i < specs.size(); i++) {
      values[i] = new float[specs.get(i).size()];
      for (int j = 0; j < values[i].length; j++) {
        values[i][j] = (float) (0.05 * random.nextGaussian());
      }
    }
    return PeftAdapter.of(config, PeftAdapter.FEATURE_EXTRACTION, PeftAdapter.DEFAULT_BASE_MODEL, specs, values);
  }

  @Test
  void mergedModelEmbedsThroughTheEmbedCommandAsBasePlusAdapter() throws Exception {
    PeftAdapter adapter = randomAdapter();
    Path adapterDir = dir.resolve("adapter");
    PeftFormat.write(adapterDir, adapter);
    Path merged = dir.resolve("merged");
    MainTest.Result r = MainTest.run("export", "--adapter", adapterDir.toString(), "--output", merged.toString(),
        "--merge");
    assertThat(r.code()).as(r.err()).isZero();
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "_manifest.json", "_SUCCESS")) {
      assertThat(merged.resolve(f)).as(f).isRegularFile();
    }

    List<String> texts = List.of("a library for parsing json", "a puzzle game with falling blocks",
        "tools to compile the kernel of an operating system");
    Path chunks = dir.resolve("chunks");
    Path embedded = dir.resolve("embedded");
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    List<Row> out;
    try {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        rows.add(RowFactory.create("c" + i, "d" + i, 0, texts.get(i), 0, texts.get(i).length(), 8, List.of(),
            Map.of()));
      }
      spark.createDataFrame(rows, Schemas.CHUNKS).write().parquet(chunks.toString());
      r = MainTest.run("embed", "--chunks", chunks.toString(), "--output", embedded.toString(), "--model",
          merged.toString(), "--max-tokens", "64");
      assertThat(r.code()).as(r.err()).isZero();
      out = spark.read().parquet(embedded.resolve("embeddings").toString()).orderBy("chunk_id").collectAsList();
    } finally {
      spark.stop();
    }
    float[][] viaAdapter;
    float[][] viaBase;
    try (AdaptedModel adapted = AdaptedModel.load("default", adapter, 64);
        AdaptedModel base = AdaptedModel.load("default", null, 64)) {
      viaAdapter = adapted.embed(texts);
      viaBase = base.embed(texts);
    }
    assertThat(out).hasSize(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      List<Float> got = out.get(i).getList(1);
      double toAdapter = 0;
      double toBase = 0;
      for (int j = 0; j < got.size(); j++) {
        toAdapter = Math.max(toAdapter, Math.abs(got.get(j) - viaAdapter[i][j]));
        toBase = Math.max(toBase, Math.abs(got.get(j) - viaBase[i][j]));
      }
      assertThat(toAdapter).as("merged vs base + adapter, text " + i).isLessThanOrEqualTo(1e-5);
      assertThat(toBase).as("merged vs base alone, text " + i).isGreaterThan(1e-3);
    }
  }

  @Test
  void withoutMergeTheAdapterIsCheckedAndCopied() throws Exception {
    PeftAdapter adapter = randomAdapter();
    Path adapterDir = dir.resolve("adapter");
    PeftFormat.write(adapterDir, adapter);
    Path copy = dir.resolve("copy");
    MainTest.Result r = MainTest.run("export", "--adapter", adapterDir.toString(), "--output", copy.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(copy.resolve("_SUCCESS")).isRegularFile();
    PeftAdapter read = PeftFormat.read(copy);
    assertThat(read.config()).isEqualTo(adapter.config());
    assertThat(read.loraTensors().keySet()).containsExactlyElementsOf(adapter.loraTensors().keySet());
    for (var e : adapter.loraTensors().entrySet()) {
      assertThat(read.loraTensors().get(e.getKey()).toFloats()).containsExactly(e.getValue().toFloats());
    }

    // a folder that is not a PEFT adapter: one line naming what is missing
    Path notAdapter = Files.createDirectories(dir.resolve("not-an-adapter"));
    r = MainTest.run("export", "--adapter", notAdapter.toString(), "--output", dir.resolve("x").toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).doesNotContain("\n").contains(notAdapter.toString(), "adapter_config.json");
    Files.writeString(notAdapter.resolve(PeftFormat.CONFIG_FILE), "{\"peft_type\": \"LORA\", \"r\": 4}");
    r = MainTest.run("export", "--adapter", notAdapter.toString(), "--output", dir.resolve("x").toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).contains("not a valid PEFT adapter", "adapter_model.safetensors");
    assertThat(dir.resolve("x")).doesNotExist();
  }
}
