package org.loradist.jobs;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.loradist.jobs.cli.Command;
import org.loradist.jobs.cli.Flag;
import org.loradist.jobs.cli.JobContext;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.ServeSettings;
import org.loradist.jobs.serve.QueryEncoder;
import org.loradist.jobs.serve.SearchLimits;
import org.loradist.jobs.serve.SearchServer;
import org.loradist.model.DefaultModel;
import org.loradist.pipelines.retrieve.DotKernels;
import org.loradist.pipelines.retrieve.HnswIndex;
import org.loradist.pipelines.retrieve.Retriever;
import org.loradist.pipelines.retrieve.RetrieverOptions;
import org.loradist.pipelines.retrieve.Storage;
import org.loradist.weights.ModelCache;

/**
 * {@code lora-dist serve}: HTTP search over an embeddings folder, in this process (no Spark). Queries are embedded by
 * the model and adapter that made the embeddings, which is checked against their model and adapter columns before
 * the server starts; runs until the process is stopped.
 */
public final class ServeJob implements Command {
  @Override
  public String name() {
    return "serve";
  }

  @Override
  public String summary() {
    return "HTTP JSON search (POST /search) and a search page over an embeddings folder, on 127.0.0.1 by default";
  }

  @Override
  public List<Flag> flags() {
    return List.of(
        Flag.of("--embeddings", ServeSettings.EMBEDDINGS),
        Flag.of("--chunks", ServeSettings.CHUNKS),
        Flag.of("--port", ServeSettings.PORT),
        Flag.of("--host", ServeSettings.HOST),
        Flag.of("--model", ServeSettings.MODEL),
        Flag.of("--adapter", ServeSettings.ADAPTER),
        Flag.of("--storage", ServeSettings.STORAGE),
        Flag.of("--index", ServeSettings.INDEX));
  }

  @Override
  public void validate(JobContext ctx) {
    JobConfig c = ctx.config();
    c.required(ServeSettings.EMBEDDINGS, "--embeddings");
    String model = c.string(ServeSettings.MODEL);
    if (!model.equals("default") && !new File(model).isDirectory()) {
      throw new ConfigException("model directory not found: " + model + " (config key 'serve.model')");
    }
    String adapter = c.string(ServeSettings.ADAPTER);
    if (!adapter.isEmpty() && !new File(adapter).isDirectory()) {
      throw new ConfigException("adapter directory not found: " + adapter + " (config key 'serve.adapter')");
    }
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    JobConfig c = ctx.config();
    String embeddings = c.string(ServeSettings.EMBEDDINGS);
    String chunks = c.string(ServeSettings.CHUNKS);
    String model = c.string(ServeSettings.MODEL);
    String adapter = c.string(ServeSettings.ADAPTER).isEmpty() ? null : c.string(ServeSettings.ADAPTER);
    RetrieverOptions options = new RetrieverOptions(chunks.isEmpty() ? null : chunks,
        Storage.parse(c.string(ServeSettings.STORAGE)),
        c.string(ServeSettings.INDEX).equals("hnsw") ? new HnswIndex.Params(c.integer(ServeSettings.HNSW_M),
            c.integer(ServeSettings.HNSW_BEAM_WIDTH), c.integer(ServeSettings.HNSW_EF_SEARCH), c.longValue(
                org.loradist.jobs.config.Settings.SEED)) : null,
        DotKernels.best(), buildThreads(c.integer(ServeSettings.HNSW_BUILD_THREADS)),
        c.string(ServeSettings.HNSW_GRAPH_FILE).isEmpty() ? null : c.string(ServeSettings.HNSW_GRAPH_FILE));
    long start = System.nanoTime();
    Retriever retriever = Retriever.open(embeddings, options);
    checkModel(retriever, model);
    checkAdapter(retriever, adapter);
    QueryEncoder encoder = QueryEncoder.load(model, adapter, c.integer(ServeSettings.MAX_TOKENS));
    int dim = encoder.embed("dimension check").length;
    if (dim != retriever.dimension()) {
      throw new ConfigException("model " + model + " embeds into " + dim + " dimensions, the embeddings in "
          + embeddings + " have " + retriever.dimension());
    }
    if (retriever.missingChunks() > 0) {
      ctx.out().println("lora-dist serve: warning: " + retriever.missingChunks() + " of " + retriever.size()
          + " embeddings have no row in " + chunks + " (their results show the chunk id only)");
    }
    SearchLimits limits = new SearchLimits(c.integer(ServeSettings.MAX_K), c.integer(ServeSettings.MAX_QUERY_CHARS),
        c.integer(ServeSettings.MAX_BODY_BYTES), Math.min(10, c.integer(ServeSettings.MAX_K)));
    SearchServer server = SearchServer.start(retriever, encoder, limits, c.string(ServeSettings.HOST),
        c.integer(ServeSettings.PORT), c.integer(ServeSettings.THREADS), System.err);
    ctx.out().printf("lora-dist serve: %d embeddings (%s%s, %s %s, kernel %s) loaded in %.1f s; listening on %s "
            + "(POST /search, GET /info, search page at /); stop with Ctrl-C%n",
        retriever.size(), retriever.model(), retriever.adapter() == null ? "" : " + " + retriever.adapter(),
        retriever.indexOrigin(), options.storage().name().toLowerCase(), options.kernel().name(),
        (System.nanoTime() - start) / 1e9, server.url());
    ctx.out().flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      encoder.close();
      stopped.countDown();
    }, "lora-dist-serve-stop"));
    stopped.await();
  }

  /** The name embed writes into the model column for {@code model} (see EmbedJob). */
  static String modelId(String model) throws java.io.IOException {
    return model.equals("default") ? DefaultModel.NAME : ModelCache.get(model).id();
  }

  private static void checkModel(Retriever retriever, String model) throws java.io.IOException {
    String id = modelId(model);
    if (!id.equals(retriever.model())) {
      throw new ConfigException("the embeddings in " + retriever.folder() + " were made by model '"
          + retriever.model() + "', but queries would be embedded by '" + id + "' (--model " + model
          + "): pass --model with the model that made them");
    }
  }

  /**
   * The adapter column holds the adapter directory as the writing job was given it; --adapter must name the same
   * directory (compared as normalised paths, a relative column value matching the end of --adapter's path).
   */
  static void checkAdapter(Retriever retriever, String adapter) {
    String column = retriever.adapter();
    if (column == null && adapter != null) {
      throw new ConfigException("the embeddings in " + retriever.folder() + " were made by the base model without an "
          + "adapter; --adapter " + adapter + " would embed queries differently: leave it out");
    }
    if (column != null && (adapter == null || !sameAdapter(column, adapter))) {
      throw new ConfigException("the embeddings in " + retriever.folder() + " were made with adapter '" + column
          + "', " + (adapter == null ? "which --adapter does not provide" : "not --adapter " + adapter)
          + ": pass --adapter with that adapter directory");
    }
  }

  static boolean sameAdapter(String column, String given) {
    if (column.equals(given)) {
      return true;
    }
    Path g = Path.of(given).toAbsolutePath().normalize();
    Path col = Path.of(column.startsWith("file:") ? java.net.URI.create(column).getPath() : column).normalize();
    return col.isAbsolute() ? col.equals(g) : g.endsWith(col);
  }

  private static int buildThreads(int configured) {
    return configured == 0 ? Runtime.getRuntime().availableProcessors() : configured;
  }
}
