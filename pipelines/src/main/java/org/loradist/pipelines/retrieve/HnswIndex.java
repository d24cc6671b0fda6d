package org.loradist.pipelines.retrieve;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.hnsw.HnswConcurrentMergeBuilder;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Approximate top-k on Lucene's in-memory HNSW graph, built over the store's own vectors and scored with the
 * store's kernel (so it works on fp32, fp16 and int8 alike, with the SIMD kernel where the JVM has it; Lucene's own
 * scorers only use SIMD on Java 20+). The build runs on one thread, or on several with Lucene's concurrent builder
 * (the one its segment merges use). The finished graph is kept packed in int arrays ({@link PackedHnswGraph}),
 * which {@link #save} writes and {@link #load} reads back, so a server need not build it again at each start.
 * Searches share the read-only graph, each walking it through a view of its own, so any number of threads may
 * search one index at once.
 */
public final class HnswIndex implements VectorIndex {
  /**
   * @param maxConnections M: neighbours per node (Lucene's default 16)
   * @param beamWidth candidates considered while inserting (Lucene's default 100)
   * @param efSearch candidates kept while searching (at least k): the recall/speed knob
   */
  public record Params(int maxConnections, int beamWidth, int efSearch, long seed) {
    public Params {
      if (maxConnections < 2 || maxConnections > 512 || beamWidth < 1 || beamWidth > 3200 || efSearch < 1) {
        throw new IllegalArgumentException("invalid HNSW parameters: M " + maxConnections + " (2..512), beamWidth "
            + beamWidth + " (1..3200), efSearch " + efSearch + " (>= 1)");
      }
    }

    public static Params defaults() {
      return new Params(16, 100, 100, 42L);
    }

    public Params withEfSearch(int ef) {
      return new Params(maxConnections, beamWidth, ef, seed);
    }
  }

  private final VectorStore store;
  private final PackedHnswGraph graph;
  private final Params params;

  private HnswIndex(VectorStore store, PackedHnswGraph graph, Params params) {
    this.store = store;
    this.graph = graph;
    this.params = params;
  }

  private HnswIndex(VectorStore store, OnHeapHnswGraph built, Params params) throws IOException {
    this(store, PackedHnswGraph.of(built), params);
  }

  /**
   * Saves the graph with what it was built for: {@code fingerprint} (the caller's hash of the vectors it indexes)
   * and the build parameters. Written to a temporary file beside {@code file} and moved into place, so a reader
   * never sees half a graph.
   */
  public void save(Path file, long fingerprint) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path partial = Files.createTempFile(parent, file.getFileName().toString(), ".partial");
    try {
      try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(partial),
          1 << 16))) {
        out.writeLong(fingerprint);
        out.writeInt(params.maxConnections());
        out.writeInt(params.beamWidth());
        out.writeLong(params.seed());
        graph.write(out);
      }
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /**
   * The graph saved in {@code file} for these vectors and build parameters, searched with {@code params}'
   * efSearch; empty when the file holds a graph of other vectors or parameters (then build anew).
   *
   * @throws IOException naming the file when it cannot be read or is not a valid graph of this store's size
   */
  public static Optional<HnswIndex> load(VectorStore store, Params params, Path file, long fingerprint)
      throws IOException {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      if (in.readLong() != fingerprint || in.readInt() != params.maxConnections()
          || in.readInt() != params.beamWidth() || in.readLong() != params.seed()) {
        return Optional.empty();
      }
      PackedHnswGraph graph = PackedHnswGraph.read(in);
      if (graph.size() != store.size()) {
        throw new IOException("it has " + graph.size() + " nodes for " + store.size() + " vectors");
      }
      return Optional.of(new HnswIndex(store, graph, params));
    } catch (IOException e) {
      throw new IOException("cannot read the HNSW graph " + file + ": " + e.getMessage(), e);
    }
  }

  /** A graph built on the calling thread: the same store, params and seed give the same graph. */
  public static HnswIndex build(VectorStore store, Params params) {
    return build(store, params, 1);
  }

  /**
   * A graph built by {@code threads} workers inserting nodes concurrently (Lucene's {@link
   * HnswConcurrentMergeBuilder}, which locks a node's neighbour lists while it links them). For a big corpus the
   * build time falls nearly with the number of cores, at about the recall of a single-threaded graph; the graph
   * then depends on thread timing, and Lucene's workers draw node levels from their own fixed seed, not
   * {@link Params#seed}. {@code threads} 1 is {@link #build(VectorStore, Params)}.
   */
  public static HnswIndex build(VectorStore store, Params params, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("HNSW build threads must be at least 1, got " + threads);
    }
    RandomVectorScorerSupplier scorers = new StoreScorers(store);
    try {
      if (threads == 1 || store.size() < 2) {
        HnswGraphBuilder builder =
            HnswGraphBuilder.create(scorers, params.maxConnections(), params.beamWidth(), params.seed());
        return new HnswIndex(store, builder.build(store.size()), params);
      }
      // an empty graph sized for the store: Lucene only hands one out through a builder
      OnHeapHnswGraph empty = HnswGraphBuilder.create(scorers, params.maxConnections(), params.beamWidth(),
          params.seed(), store.size()).getGraph();
      ExecutorService pool = Executors.newFixedThreadPool(threads, new BuildThreads());
      try {
        HnswConcurrentMergeBuilder builder = new HnswConcurrentMergeBuilder(new TaskExecutor(pool), threads, scorers,
            params.maxConnections(), params.beamWidth(), empty, null);
        return new HnswIndex(store, builder.build(store.size()), params);
      } finally {
        pool.shutdownNow();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("building the HNSW graph failed: " + e.getMessage(), e);
    }
  }

  /** The same graph searched with another efSearch. */
  public HnswIndex withEfSearch(int efSearch) {
    return new HnswIndex(store, graph, params.withEfSearch(efSearch));
  }

  public Params params() {
    return params;
  }

  /** Heap taken by the graph's adjacency lists (the vectors are in the store). */
  public long graphBytes() {
    return graph.bytes();
  }

  @Override
  public ScoredOrdinals search(float[] query, int k) {
    if (store.size() == 0) {
      return new ScoredOrdinals(new int[0], new float[0]);
    }
    KnnCollector collector = new TopKnnCollector(Math.max(k, params.efSearch()), Integer.MAX_VALUE);
    try {
      // a view of its own: the graph API keeps the walk's position, which concurrent searches would share
      HnswGraphSearcher.search(new QueryScorer(store, query), collector, graph.view(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TopDocs docs = collector.topDocs();
    int n = Math.min(k, docs.scoreDocs.length);
    int[] ords = new int[n];
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      ScoreDoc d = docs.scoreDocs[i];
      ords[i] = d.doc;
      scores[i] = store.dot(query, d.doc); // the inner product itself, not the graph's (1 + dot) / 2
    }
    return new ScoredOrdinals(ords, scores);
  }

  @Override
  public VectorStore store() {
    return store;
  }

  @Override
  public String kind() {
    return "hnsw";
  }

  /**
   * Scores stored vectors against a query vector as Lucene's DOT_PRODUCT similarity does for unit vectors:
   * (1 + dot) / 2, which is non-negative as Lucene's graph code expects and orders like the inner product.
   */
  private record QueryScorer(VectorStore store, float[] query) implements RandomVectorScorer {
    @Override
    public float score(int node) {
      return (1f + store.dot(query, node)) * 0.5f;
    }

    @Override
    public int maxOrd() {
      return store.size();
    }
  }

  private record StoredScorer(VectorStore store, int ord) implements RandomVectorScorer {
    @Override
    public float score(int node) {
      return (1f + store.dotStored(ord, node)) * 0.5f;
    }

    @Override
    public int maxOrd() {
      return store.size();
    }
  }

  /** During the build, stored vectors are scored against each other in place (Lucene asks for many scorers). */
  private record StoreScorers(VectorStore store) implements RandomVectorScorerSupplier {
    @Override
    public RandomVectorScorer scorer(int ord) {
      return new StoredScorer(store, ord);
    }

    @Override
    public RandomVectorScorerSupplier copy() {
      return this;
    }
  }

  /** Daemon threads, so a failed build never keeps the JVM alive. */
  private static final class BuildThreads implements ThreadFactory {
    private static final AtomicInteger BUILDS = new AtomicInteger();
    private final int build = BUILDS.incrementAndGet();
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "hnsw-build-" + build + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
