package org.loradist.jobs.config;

import static org.loradist.jobs.config.Setting.choice;
import static org.loradist.jobs.config.Setting.integer;
import static org.loradist.jobs.config.Setting.string;

import java.util.List;

/** Keys of {@code lora-dist serve}: HTTP search over an embeddings folder. */
public final class ServeSettings {
  private ServeSettings() {}

  public static final Setting EMBEDDINGS = string("serve.embeddings", "",
      "Embeddings folder (an embed or writeback output, or its embeddings/ part) to search; needs _SUCCESS.");
  public static final Setting CHUNKS = string("serve.chunks", "",
      "Chunks folder (or prep output) whose doc_id, text, headings and offsets results show; empty: chunk ids only.");
  public static final Setting HOST = string("serve.host", "127.0.0.1",
      "Address to listen on; the default accepts local connections only.");
  public static final Setting PORT = integer("serve.port", 8080, 0, 65535,
      "TCP port to listen on; 0 picks a free one (printed at start).");
  public static final Setting MODEL = string("serve.model", "default",
      "Model that embeds queries: 'default' (bundled all-MiniLM-L6-v2) or a Hugging Face directory; must be the "
          + "model named in the embeddings' model column.");
  public static final Setting ADAPTER = string("serve.adapter", "",
      "PEFT adapter directory applied to the query model; required when the embeddings were made with an adapter.");
  public static final Setting STORAGE = choice("serve.storage", "fp32",
      "How vectors are held in memory: fp32, fp16 (half the memory) or int8 (about a quarter).", "fp32", "fp16",
      "int8");
  public static final Setting INDEX = choice("serve.index", "exact",
      "exact (every vector scored) or hnsw (Lucene's approximate graph, for large corpora).", "exact", "hnsw");
  public static final Setting HNSW_M = integer("serve.hnsw.m", 16, 2, 512,
      "HNSW: neighbours per node. 16 suffices to ~100k vectors; at 1M, 32 with beam width 200 keeps recall@10 at"
          + " 0.95 from ef-search 50 (bench RetrievalBench), for 3x the build time.");
  public static final Setting HNSW_BEAM_WIDTH = integer("serve.hnsw.beam-width", 100, 1, 3200,
      "HNSW: candidates considered while building the graph.");
  public static final Setting HNSW_EF_SEARCH = integer("serve.hnsw.ef-search", 100, 1, 10_000,
      "HNSW: candidates kept while searching (the recall/speed knob; at least k is used).");
  public static final Setting HNSW_BUILD_THREADS = integer("serve.hnsw.build-threads", 0, 0, 1024,
      "HNSW: threads building the graph at start-up; 0: all cores. 1 builds the same graph every time (seeded).");
  public static final Setting HNSW_GRAPH_FILE = string("serve.hnsw.graph-file", "",
      "HNSW: a local file that keeps the graph between starts: loaded when it holds the graph of these embeddings"
          + " and build settings, else built and saved there (minutes at 1M vectors, seconds to load). Empty: built"
          + " at every start.");
  public static final Setting MAX_K = integer("serve.max-k", 100, 1, 10_000,
      "Largest k a request may ask for.");
  public static final Setting MAX_QUERY_CHARS = integer("serve.max-query-chars", 2000, 1, 1_000_000,
      "Longest query accepted, in characters.");
  public static final Setting MAX_BODY_BYTES = integer("serve.max-body-bytes", 16_384, 64, 16 << 20,
      "Largest request body accepted, in bytes (413 above).");
  public static final Setting THREADS = integer("serve.threads", 4, 1, 256,
      "Threads answering requests.");
  public static final Setting MAX_TOKENS = integer("serve.max-tokens", 256, 3, 8192,
      "Truncation length of a query, in tokens ([CLS]/[SEP] included).");

  public static final List<Setting> ALL = List.of(EMBEDDINGS, CHUNKS, HOST, PORT, MODEL, ADAPTER, STORAGE, INDEX,
      HNSW_M, HNSW_BEAM_WIDTH, HNSW_EF_SEARCH, HNSW_BUILD_THREADS, HNSW_GRAPH_FILE, MAX_K, MAX_QUERY_CHARS, MAX_BODY_BYTES, THREADS, MAX_TOKENS);
}
