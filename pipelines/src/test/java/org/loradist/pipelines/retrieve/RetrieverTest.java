package org.loradist.pipelines.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.pipelines.Schemas;

/** Folders written by Spark with the contracts' schemas, read back without Spark. */
class RetrieverTest {
  private static final int N = 300;
  private static final int DIM = 64;
  private static SparkSession spark;
  private static float[][] vectors;
  @TempDir
  static Path tmp;
  private static String embedOutput;
  private static String prepOutput;

  @BeforeAll
  static void writeFolders() throws Exception {
    spark = SparkSession.builder().master("local[2]").appName("RetrieverTest")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
    vectors = VectorIndexTest.unitVectors(new Random(1), N);
    List<Row> embeddings = new ArrayList<>();
    List<Row> chunks = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      embeddings.add(embedding("c" + i, vectors[i], "all-MiniLM-L6-v2", null));
      // the last chunk has no row in the chunks folder: counted as missing, not dropped
      if (i < N - 1) {
        chunks.add(RowFactory.create("c" + i, "d" + (i / 3), i % 3, "text of chunk " + i, 10 * i, 10 * i + 7, 5,
            i % 2 == 0 ? new String[] {"Guide", "Part " + i} : null, null));
      }
    }
    // the layouts the jobs write: embed -> DIR/embeddings, prep -> DIR/chunks, each DIR with _SUCCESS
    embedOutput = tmp.resolve("embed").toString();
    write(embeddings, Schemas.EMBEDDINGS, embedOutput + "/embeddings", 3);
    Files.createFile(Path.of(embedOutput, "_SUCCESS"));
    prepOutput = tmp.resolve("prep").toString();
    write(chunks, Schemas.CHUNKS, prepOutput + "/chunks", 2);
    Files.createFile(Path.of(prepOutput, "_SUCCESS"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void findsEachVectorsOwnChunkFirstWithItsMetadata() throws Exception {
    Retriever r = Retriever.open(embedOutput, RetrieverOptions.defaults().withChunks(prepOutput));
    assertThat(r.size()).isEqualTo(N);
    assertThat(r.dimension()).isEqualTo(DIM);
    assertThat(r.model()).isEqualTo("all-MiniLM-L6-v2");
    assertThat(r.adapter()).isNull();
    assertThat(r.missingChunks()).isEqualTo(1);
    for (int i : new int[] {0, 1, 150, N - 1}) {
      List<Hit> hits = r.search(vectors[i], 5);
      assertThat(hits).hasSize(5);
      assertThat(hits.get(0).chunkId()).isEqualTo("c" + i);
      assertThat(hits.get(0).score()).isCloseTo(1f, org.assertj.core.api.Assertions.within(1e-4f));
      assertThat(hits.get(1).score()).isLessThan(hits.get(0).score());
    }
    Hit h = r.search(vectors[150], 1).get(0);
    assertThat(h.chunk()).isEqualTo(new ChunkInfo("d50", "text of chunk 150", List.of("Guide", "Part 150"), 1500, 1507));
    assertThat(r.search(vectors[151], 1).get(0).chunk().headings()).isEmpty();
    assertThat(r.search(vectors[N - 1], 1).get(0).chunk()).isNull();
    assertThat(r.search(vectors[3], 10_000)).hasSize(N);
  }

  @Test
  void readsASparkFolderDirectlyWithInt8StorageAndHnsw() throws Exception {
    Retriever r = Retriever.open(embedOutput + "/embeddings", RetrieverOptions.defaults()
        .withStorage(Storage.INT8).withHnsw(HnswIndex.Params.defaults()));
    assertThat(r.index().kind()).isEqualTo("hnsw");
    assertThat(r.index().store().bytesPerVector()).isEqualTo(DIM + 4);
    assertThat(r.hasChunks()).isFalse();
    int firstIsSelf = 0;
    for (int i = 0; i < N; i += 10) {
      if (r.search(vectors[i], 10).get(0).chunkId().equals("c" + i)) {
        firstIsSelf++;
      }
    }
    assertThat(firstIsSelf).isEqualTo(N / 10);
  }

  @Test
  void buildsTheHnswGraphOnSeveralThreads() throws Exception {
    Retriever r = Retriever.open(embedOutput + "/embeddings", RetrieverOptions.defaults()
        .withHnsw(HnswIndex.Params.defaults()).withHnswBuildThreads(2));
    assertThat(r.index().kind()).isEqualTo("hnsw");
    int probes = 0;
    int firstIsSelf = 0;
    for (int i = 0; i < N; i += 5) {
      probes++;
      if (r.search(vectors[i], 10).get(0).chunkId().equals("c" + i)) {
        firstIsSelf++;
      }
    }
    // a concurrently built graph depends on thread timing: not every node need be reachable first, nearly all are
    assertThat(firstIsSelf).isGreaterThanOrEqualTo(probes * 95 / 100);
    assertThatThrownBy(() -> RetrieverOptions.defaults().withHnswBuildThreads(0))
        .hasMessage("HNSW build threads must be at least 1, got 0");
  }

  @Test
  void keepsTheHnswGraphInAFileAndLoadsItAtTheNextOpen(@TempDir Path dir) throws Exception {
    String file = dir.resolve("graph.hnsw").toString();
    RetrieverOptions options = RetrieverOptions.defaults().withHnsw(HnswIndex.Params.defaults())
        .withHnswGraphFile(file);
    Retriever first = Retriever.open(embedOutput + "/embeddings", options);
    assertThat(first.indexOrigin()).isEqualTo("hnsw built, saved to " + file);
    Retriever second = Retriever.open(embedOutput + "/embeddings", options);
    assertThat(second.indexOrigin()).isEqualTo("hnsw loaded from " + file);
    for (int i = 0; i < N; i += 25) {
      assertThat(second.search(vectors[i], 5)).isEqualTo(first.search(vectors[i], 5));
    }
    // other build settings (or other embeddings): built again and saved over it
    Retriever other = Retriever.open(embedOutput + "/embeddings",
        options.withHnsw(new HnswIndex.Params(8, 100, 100, 42L)));
    assertThat(other.indexOrigin()).isEqualTo("hnsw built, saved to " + file);
    assertThat(Retriever.open(embedOutput + "/embeddings", options.withStorage(Storage.INT8)).indexOrigin())
        .isEqualTo("hnsw built, saved to " + file);
  }

  @Test
  void refusesAWrongQueryDimensionNamingFolderModelAndDimensions() throws Exception {
    Retriever r = Retriever.open(embedOutput, RetrieverOptions.defaults());
    assertThatThrownBy(() -> r.search(new float[DIM + 1], 3)).isInstanceOf(RetrievalException.class)
        .hasMessage("query vector has dimension 65, the embeddings in " + embedOutput
            + " (model 'all-MiniLM-L6-v2') have 64");
    assertThatThrownBy(() -> r.search(vectors[0], 0)).hasMessage("k must be at least 1, got 0");
  }

  @Test
  void refusesAFolderWithoutSuccess() throws Exception {
    String dir = tmp.resolve("unfinished").toString();
    write(List.of(embedding("a", vectors[0], "m", null)), Schemas.EMBEDDINGS, dir, 1);
    Files.delete(Path.of(dir, "_SUCCESS"));
    assertThatThrownBy(() -> Retriever.open(dir, RetrieverOptions.defaults())).isInstanceOf(RetrievalException.class)
        .hasMessage("embeddings folder " + dir + " has no _SUCCESS (an unfinished or interrupted write): refusing to read it");
    assertThatThrownBy(() -> Retriever.open(tmp.resolve("nowhere").toString(), RetrieverOptions.defaults()))
        .hasMessageStartingWith("embeddings folder not found: ");
  }

  @Test
  void refusesMixedModelsAdaptersAndDimensions() throws Exception {
    String models = tmp.resolve("models").toString();
    write(List.of(embedding("a", vectors[0], "all-MiniLM-L6-v2", null), embedding("b", vectors[1], "other-model", null)),
        Schemas.EMBEDDINGS, models, 1);
    assertThatThrownBy(() -> Retriever.open(models, RetrieverOptions.defaults()))
        .hasMessageStartingWith("embeddings folder " + models + " mixes models: 'all-MiniLM-L6-v2' (")
        .hasMessageContaining("and 'other-model' (");
    String adapters = tmp.resolve("adapters").toString();
    write(List.of(embedding("a", vectors[0], "m", null), embedding("b", vectors[1], "m", "runs/a1/adapter")),
        Schemas.EMBEDDINGS, adapters, 1);
    assertThatThrownBy(() -> Retriever.open(adapters, RetrieverOptions.defaults()))
        .hasMessageContaining("mixes adapters: the base model (no adapter)").hasMessageContaining("'runs/a1/adapter'");
    String dims = tmp.resolve("dims").toString();
    write(List.of(embedding("a", vectors[0], "m", null), embedding("b", new float[DIM / 2], "m", null)),
        Schemas.EMBEDDINGS, dims, 1);
    assertThatThrownBy(() -> Retriever.open(dims, RetrieverOptions.defaults()))
        .hasMessageStartingWith("embeddings folder " + dims + " mixes dimensions: 64 (")
        .hasMessageContaining("and 32 (part-");
    String twice = tmp.resolve("twice").toString();
    write(List.of(embedding("a", vectors[0], "m", null), embedding("a", vectors[1], "m", null)),
        Schemas.EMBEDDINGS, twice, 1);
    assertThatThrownBy(() -> Retriever.open(twice, RetrieverOptions.defaults()))
        .hasMessageContaining("chunk_id 'a' appears twice");
  }

  private static Row embedding(String chunkId, float[] v, String model, String adapter) {
    Float[] boxed = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      boxed[i] = v[i];
    }
    return RowFactory.create(chunkId, boxed, model, adapter);
  }

  private static void write(List<Row> rows, org.apache.spark.sql.types.StructType schema, String dir, int files) {
    spark.createDataFrame(rows, schema).coalesce(files).write().parquet(dir);
  }
}
