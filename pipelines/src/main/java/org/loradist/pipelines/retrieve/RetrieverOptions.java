package org.loradist.pipelines.retrieve;

/**
 * How a {@link Retriever} holds and searches its vectors.
 *
 * @param chunks a chunks folder (or prep output) for result metadata; null: results carry chunk ids only
 * @param storage fp32, or fp16 / int8 for half / a quarter of the memory
 * @param hnsw null: exact search; else Lucene HNSW with these parameters
 * @param kernel the inner-product kernel (see {@link DotKernels#best})
 * @param hnswBuildThreads threads inserting nodes into the HNSW graph; 1 gives the same graph for the same seed,
 *     more build a big corpus's graph faster but the graph then depends on thread timing
 * @param hnswGraphFile null: the HNSW graph is built at every open; else a local file that keeps it: loaded when it
 *     holds the graph of these vectors and build parameters, else built and saved there
 */
public record RetrieverOptions(String chunks, Storage storage, HnswIndex.Params hnsw, DotKernel kernel,
    int hnswBuildThreads, String hnswGraphFile) {
  public RetrieverOptions {
    if (storage == null || kernel == null) {
      throw new IllegalArgumentException("storage and kernel are required");
    }
    if (hnswBuildThreads < 1) {
      throw new IllegalArgumentException("HNSW build threads must be at least 1, got " + hnswBuildThreads);
    }
  }

  /** Exact fp32 search with the best kernel of this JVM, no chunk metadata. */
  public static RetrieverOptions defaults() {
    return new RetrieverOptions(null, Storage.FP32, null, DotKernels.best(), 1, null);
  }

  public RetrieverOptions withChunks(String dir) {
    return new RetrieverOptions(dir, storage, hnsw, kernel, hnswBuildThreads, hnswGraphFile);
  }

  public RetrieverOptions withStorage(Storage s) {
    return new RetrieverOptions(chunks, s, hnsw, kernel, hnswBuildThreads, hnswGraphFile);
  }

  public RetrieverOptions withHnsw(HnswIndex.Params p) {
    return new RetrieverOptions(chunks, storage, p, kernel, hnswBuildThreads, hnswGraphFile);
  }

  public RetrieverOptions withKernel(DotKernel k) {
    return new RetrieverOptions(chunks, storage, hnsw, k, hnswBuildThreads, hnswGraphFile);
  }

  public RetrieverOptions withHnswBuildThreads(int threads) {
    return new RetrieverOptions(chunks, storage, hnsw, kernel, threads, hnswGraphFile);
  }

  public RetrieverOptions withHnswGraphFile(String file) {
    return new RetrieverOptions(chunks, storage, hnsw, kernel, hnswBuildThreads, file);
  }
}
