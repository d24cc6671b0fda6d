package org.loradist.pipelines.retrieve;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * In-process top-k search over an {@code embeddings} folder, read with parquet-hadoop (no Spark session): vectors in
 * one flat block (fp32, fp16 or int8), exact inner product or Lucene HNSW, optional chunk metadata for results.
 * Thread-safe for searches once open. Typical use:
 *
 * <pre>{@code
 * Retriever r = Retriever.open("out/embed", RetrieverOptions.defaults().withChunks("out/prep"));
 * List<Hit> hits = r.search(queryVector, 10);
 * }</pre>
 */
public final class Retriever {
  private final LoadedEmbeddings embeddings;
  private final ChunkTable chunks;
  private final VectorIndex index;

  private Retriever(LoadedEmbeddings embeddings, ChunkTable chunks, VectorIndex index) {
    this.embeddings = embeddings;
    this.chunks = chunks;
    this.index = index;
  }

  public static Retriever open(String embeddingsDir, RetrieverOptions options) throws IOException {
    return open(embeddingsDir, options, new Configuration());
  }

  public static Retriever open(String embeddingsDir, RetrieverOptions options, Configuration conf) throws IOException {
    LoadedEmbeddings loaded = LoadedEmbeddings.load(embeddingsDir, options.storage(), options.kernel(), conf);
    ChunkTable chunks = options.chunks() == null ? null : ChunkTable.load(options.chunks(), loaded.chunkIds(), conf);
    VectorIndex index = options.hnsw() == null ? new ExactIndex(loaded.store())
        : HnswIndex.build(loaded.store(), options.hnsw(), options.hnswBuildThreads());
    return new Retriever(loaded, chunks, index);
  }

  public String folder() {
    return embeddings.folder();
  }

  /** The {@code model} column of the embeddings: queries must be embedded by the same model. */
  public String model() {
    return embeddings.model();
  }

  /** The {@code adapter} column (null for the base model): queries must be embedded with the same adapter. */
  public String adapter() {
    return embeddings.adapter();
  }

  public int dimension() {
    return embeddings.dimension();
  }

  public int size() {
    return embeddings.size();
  }

  public VectorIndex index() {
    return index;
  }

  /** Embeddings with no row in the chunks folder (0 when no chunks folder was given). */
  public int missingChunks() {
    return chunks == null ? 0 : chunks.missing();
  }

  public boolean hasChunks() {
    return chunks != null;
  }

  /** The best {@code k} chunks for {@code query} (of this retriever's dimension), best first. */
  public List<Hit> search(float[] query, int k) {
    if (query == null || query.length != dimension()) {
      throw new RetrievalException("query vector has dimension " + (query == null ? 0 : query.length)
          + ", the embeddings in " + folder() + " (model '" + model() + "') have " + dimension());
    }
    if (k < 1) {
      throw new RetrievalException("k must be at least 1, got " + k);
    }
    for (float x : query) {
      if (!Float.isFinite(x)) {
        throw new RetrievalException("query vector has a non-finite value");
      }
    }
    ScoredOrdinals found = index.search(query, Math.min(k, size()));
    List<Hit> hits = new ArrayList<>(found.size());
    for (int i = 0; i < found.size(); i++) {
      int ord = found.ordinals()[i];
      hits.add(new Hit(found.scores()[i], embeddings.chunkIds()[ord], chunks == null ? null : chunks.byOrdinal()[ord]));
    }
    return hits;
  }
}
