package org.loradist.jobs.serve;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.loradist.lora.AdaptedModel;
import org.loradist.lora.PeftAdapter;
import org.loradist.lora.PeftFormat;
import org.loradist.model.TextEmbedder;

/**
 * Embeds query texts with the model (and adapter) that made the corpus. The encoders are one-per-thread objects,
 * so requests take turns on one instance: a query is a single short text, and PyTorch's own threads do the work.
 */
public final class QueryEncoder implements AutoCloseable {
  private final TextEmbedder base;
  private final AdaptedModel adapted;

  private QueryEncoder(TextEmbedder base, AdaptedModel adapted) {
    this.base = base;
    this.adapted = adapted;
  }

  /** {@code model}: "default" or a Hugging Face directory; {@code adapterDir}: a PEFT directory, or null. */
  public static QueryEncoder load(String model, String adapterDir, int maxTokens) throws IOException {
    if (adapterDir == null) {
      return new QueryEncoder(TextEmbedder.forModel(model, TextEmbedder.Options.defaults().withMaxTokens(maxTokens)),
          null);
    }
    PeftAdapter adapter = PeftFormat.read(Path.of(adapterDir));
    return new QueryEncoder(null, AdaptedModel.load(model, adapter, maxTokens));
  }

  /** The query's L2-normalised embedding. */
  public synchronized float[] embed(String query) {
    List<String> one = List.of(query);
    return (base != null ? base.embed(one) : adapted.embed(one))[0];
  }

  @Override
  public synchronized void close() {
    if (base != null) {
      base.close();
    } else {
      adapted.close();
    }
  }
}
