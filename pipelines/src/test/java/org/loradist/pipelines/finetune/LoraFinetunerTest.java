package org.loradist.pipelines.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.model.TorchThreads;
import org.loradist.pipelines.embed.Embedder;
import org.loradist.train.lora.LoraTask;

/**
 * The Estimator and its model in a real local[2] Spark session, on a slice of debian-packages: a few training steps
 * (rank 4, 32 tokens), transform output, and the save/load round trip.
 */
class LoraFinetunerTest {
  static final StructType SCHEMA = new StructType().add("package", DataTypes.StringType)
      .add("section", DataTypes.StringType).add("synopsis", DataTypes.StringType)
      .add("description", DataTypes.StringType);
  static SparkSession spark;
  static Dataset<Row> packages;
  static int threadsBefore;

  @TempDir
  static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    // 2 cores shared with other builds: one PyTorch intra-op thread keeps OpenMP from waiting on descheduled threads
    threadsBefore = TorchThreads.intraOpThreads();
    TorchThreads.setIntraOpThreads(1);
    spark = SparkSession.builder().master("local[2]").appName("finetune-tests")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    packages = spark.createDataFrame(slice(), SCHEMA).cache();
  }

  @AfterAll
  static void stop() {
    spark.stop();
    TorchThreads.setIntraOpThreads(threadsBefore);
  }

  /** 32 packages of the two most frequent sections among the first 400 of train, plus one without a section. */
  static List<Row> slice() throws Exception {
    Path file = Path.of("../../shared/data/debian-packages/train.jsonl.gz").toAbsolutePath().normalize();
    List<JsonNode> first = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
        StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null && first.size() < 400; line = in.readLine()) {
        first.add(json.readTree(line));
      }
    }
    Map<String, Long> counts = first.stream().collect(Collectors.groupingBy(n -> n.get("section").asText(),
        Collectors.counting()));
    List<String> top = counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(2).map(Map.Entry::getKey).toList();
    List<Row> rows = new ArrayList<>();
    Map<String, Integer> taken = new java.util.HashMap<>();
    for (JsonNode n : first) {
      String s = n.get("section").asText();
      if (top.contains(s) && taken.merge(s, 1, Integer::sum) <= 16) {
        rows.add(RowFactory.create(n.get("package").asText(), s, n.get("synopsis").asText(),
            n.get("description").asText()));
      }
    }
    rows.add(RowFactory.create("no-section", null, "a synopsis", "a description"));
    return rows;
  }

  static LoraFinetuner tiny() {
    return new LoraFinetuner().setRank(4).setAlpha(8).setTargets("query,value").setMaxTokens(32).setBatchSize(8)
        .setMaxSteps(4).setCheckpointEvery(2).setSeed(7).setWorkDir(tmp.resolve("work").toString());
  }

  @Test
  void classifierPredictsTheTrainedSectionsAndSurvivesSaveAndLoad() throws Exception {
    LoraFinetuner finetuner = tiny().setTask("classification").setTextCol("description").setLabelCol("section")
        .setIdCol("package").setLearningRate(1e-3);
    LoraModel model = finetuner.fit(packages);
    List<String> sections = packages.select("section").where("section is not null").distinct().collectAsList()
        .stream().map(r -> r.getString(0)).sorted().toList();
    assertThat(model.task()).isEqualTo(LoraTask.CLASSIFICATION);
    assertThat(model.labels()).isEqualTo(sections);
    assertThat(model.getOrDefault(model.inputCol())).isEqualTo("description");
    assertThat(model.parent()).isSameAs(finetuner);

    Dataset<Row> texts = packages.select("package", "description");
    List<Row> out = model.transform(texts).orderBy("package").collectAsList();
    assertThat(out).hasSize((int) packages.count());
    assertThat(out.get(0).schema().fieldNames())
        .containsExactly("package", "description", "prediction", "probability", "predicted_label");
    for (Row r : out) {
      double prediction = r.getDouble(2);
      Vector p = (Vector) r.get(3);
      assertThat(p.size()).isEqualTo(2);
      assertThat(p.toArray()[0] + p.toArray()[1]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(prediction).isEqualTo(p.argmax());
      assertThat(r.getString(4)).isEqualTo(sections.get((int) prediction));
    }

    String path = tmp.resolve("saved-model").toString();
    model.write().overwrite().save(path);
    assertThat(Path.of(path, "adapter", "adapter_config.json")).isRegularFile();
    assertThat(Path.of(path, "adapter", "adapter_model.safetensors")).isRegularFile();
    LoraModel loaded = LoraModel.load(path);
    assertThat(loaded.uid()).isEqualTo(model.uid());
    assertThat(loaded.labels()).isEqualTo(sections);
    assertThat(loaded.getOrDefault(loaded.inputCol())).isEqualTo("description");
    List<Row> again = loaded.transform(texts).orderBy("package").collectAsList();
    assertThat(again).isEqualTo(out);

    // the estimator's Params round-trip too
    String estimatorPath = tmp.resolve("saved-estimator").toString();
    finetuner.write().overwrite().save(estimatorPath);
    LoraFinetuner reread = LoraFinetuner.load(estimatorPath);
    assertThat(reread.trainingConfig()).isEqualTo(finetuner.trainingConfig());
    assertThat(reread.getOrDefault(reread.labelCol())).isEqualTo("section");
  }

  @Test
  void retrievalModelAppendsUnitEmbeddings() {
    LoraModel model = tiny().setTask("retrieval").setQueryCol("synopsis").setPassageCol("description")
        .setTextCol("synopsis").setLearningRate(5e-4).fit(packages.where("section is not null"));
    assertThat(model.task()).isEqualTo(LoraTask.RETRIEVAL);
    List<Row> out = model.transform(packages.select("package", "synopsis")).collectAsList();
    Map<String, Row> byPackage = out.stream().collect(Collectors.toMap(r -> r.getString(0), Function.identity()));
    Row row = byPackage.values().stream().min(Comparator.comparing(r -> r.getString(0))).orElseThrow();
    List<Float> e = row.getList(2);
    assertThat(e).hasSize(384);
    double norm = Math.sqrt(e.stream().mapToDouble(x -> x * x).sum());
    assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    // the adapter is applied: the base encoder embeds the same text differently
    List<Float> base = new Embedder().setInputCol("synopsis").setMaxTokens(32)
        .transform(packages.where("package = '" + row.getString(0) + "'").select("synopsis")).first().getList(1);
    double maxDiff = 0;
    for (int i = 0; i < e.size(); i++) {
      maxDiff = Math.max(maxDiff, Math.abs(e.get(i) - base.get(i)));
    }
    assertThat(maxDiff).isGreaterThan(1e-5);
  }

  @Test
  void missingColumnIsNamed() {
    assertThatThrownBy(() -> tiny().setTask("classification").setTextCol("description").setLabelCol("tags")
        .fit(packages)).hasMessageContaining("'tags'").hasMessageContaining("labelCol");
  }
}
