package org.loradist.pipelines.retrieve;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
  private final String indexOrigin;

  private Retriever(LoadedEmbeddings embeddings, ChunkTable chunks, VectorIndex index, String indexOrigin) {
    this.embeddings = embeddings;
    this.chunks = chunks;
    this.index = index;
    this.indexOrigin = indexOrigin;
  }

  public static Retriever open(String embeddingsDir, RetrieverOptions options) throws IOException {
    return open(embeddingsDir, options, new Configuration());
  }

  public static Retriever open(String embeddingsDir, RetrieverOptions options, Configuration conf) throws IOException {
    LoadedEmbeddings loaded = LoadedEmbeddings.load(embeddingsDir, options.storage(), options.kernel(), conf);
    ChunkTable chunks = options.chunks() == null ? null : ChunkTable.load(options.chunks(), loaded.chunkIds(), conf);
    if (options.hnsw() == null) {
      return new Retriever(loaded, chunks, new ExactIndex(loaded.store()), "exact");
    }
    if (options.hnswGraphFile() == null) {
      return new Retriever(loaded, chunks,
          HnswIndex.build(loaded.store(), options.hnsw(), options.hnswBuildThreads()), "hnsw built");
    }
    Path file = Path.of(options.hnswGraphFile());
    long fingerprint = fingerprint(loaded, options.storage());
    if (Files.exists(file)) {
      Optional<HnswIndex> saved = HnswIndex.load(loaded.store(), options.hnsw(), file, fingerprint);
      if (saved.isPresent()) {
        return new Retriever(loaded, chunks, saved.get(), "hnsw loaded from " + file);
      }
    }
    HnswIndex built = HnswIndex.build(loaded.store(), options.hnsw(), options.hnswBuildThreads());
    built.save(file, fingerprint);
    return new Retriever(loaded, chunks, built, "hnsw built, saved to " + file);
  }

  /**
   * What a saved graph must have been built on: the chunk ids in order (ordinals are graph nodes), the model,
   * adapter, dimension and storage (which scores the build), and the stored vectors themselves, so that a graph is
   * never reused for vectors re-embedded under the same ids (SHA-256 over 1M x 384 floats took 1.4 s here; building
   * their graph takes minutes).
   */
  static long fingerprint(LoadedEmbeddings embeddings, Storage storage) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {embeddings.model(), String.valueOf(embeddings.adapter()),
          String.valueOf(embeddings.dimension()), storage.name()}) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      for (String id : embeddings.chunkIds()) {
        sha.update(id.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      VectorStore store = embeddings.store();
      ByteBuffer vector = ByteBuffer.allocate(store.dimension() * Float.BYTES);
      for (int ord = 0; ord < store.size(); ord++) {
        vector.clear();
        vector.asFloatBuffer().put(store.vector(ord));
        sha.update(vector);
      }
      return ByteBuffer.wrap(sha.digest()).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where the index came from: "exact", "hnsw built", "hnsw loaded from FILE" or "hnsw built, saved to FILE". */
  public String indexOrigin() {
    return indexOrigin;
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
