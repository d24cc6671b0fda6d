package org.loradist.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.loradist.text.TextTokenizer;
import org.loradist.text.TokenizedText;
import org.loradist.weights.ModelCache;

/**
 * Texts to L2-normalised sentence embeddings. Texts are tokenized (truncated at {@link Options#maxTokens}), sorted by
 * length into batches within a token budget ({@link BatchPlan}), padded per batch, and encoded in a per-batch
 * NDManager that is closed right after, so native memory stays flat however many texts go through.
 * One instance per thread (DJL managers are not shared across concurrent batches); the weights behind it are shared.
 */
public final class TextEmbedder implements AutoCloseable {
  /**
   * @param maxTokens truncation length including [CLS]/[SEP] (sentence-transformers uses 256 for the default model)
   * @param batchTokens padded tokens per batch: batch size x longest text stays within this
   * @param maxBatchSize texts per batch at most
   * @param intraOpThreads PyTorch intra-op threads (process-wide); 0 leaves the current setting
   * @param precision compute type of the encoder
   */
  public record Options(int maxTokens, int batchTokens, int maxBatchSize, int intraOpThreads, Precision precision) {
    public Options {
      if (maxTokens < 3 || batchTokens < maxTokens || maxBatchSize < 1 || intraOpThreads < 0 || precision == null) {
        throw new IllegalArgumentException("invalid embedder options: maxTokens " + maxTokens + " (>= 3), batchTokens "
            + batchTokens + " (>= maxTokens), maxBatchSize " + maxBatchSize + " (>= 1), intraOpThreads "
            + intraOpThreads + " (>= 0), precision " + precision);
      }
    }

    public static Options defaults() {
      return new Options(DefaultModel.DEFAULT_MAX_TOKENS, 8192, 128, 0, Precision.FP32);
    }

    public Options withMaxTokens(int v) {
      return new Options(v, Math.max(batchTokens, v), maxBatchSize, intraOpThreads, precision);
    }

    public Options withBatchTokens(int v) {
      return new Options(maxTokens, v, maxBatchSize, intraOpThreads, precision);
    }

    public Options withMaxBatchSize(int v) {
      return new Options(maxTokens, batchTokens, v, intraOpThreads, precision);
    }

    public Options withIntraOpThreads(int v) {
      return new Options(maxTokens, batchTokens, maxBatchSize, v, precision);
    }

    public Options withPrecision(Precision v) {
      return new Options(maxTokens, batchTokens, maxBatchSize, intraOpThreads, v);
    }
  }

  private final BertEncoder encoder;
  private final TextTokenizer tokenizer;
  private final boolean ownsTokenizer;
  private final Options options;
  private final NDManager manager;

  /** Uses {@code encoder} and {@code tokenizer} as given (the tokenizer's own truncation applies; not closed here). */
  public TextEmbedder(BertEncoder encoder, TextTokenizer tokenizer, Options options) {
    this(encoder, tokenizer, false, options);
  }

  private TextEmbedder(BertEncoder encoder, TextTokenizer tokenizer, boolean ownsTokenizer, Options options) {
    this.encoder = encoder;
    this.tokenizer = tokenizer;
    this.ownsTokenizer = ownsTokenizer;
    this.options = options;
    if (options.intraOpThreads() > 0) {
      TorchThreads.setIntraOpThreads(options.intraOpThreads());
    }
    this.manager = NDManager.newBaseManager();
  }

  /** An embedder for {@code modelPath} ("default" or a Hugging Face directory), its weights from {@link ModelCache}. */
  public static TextEmbedder forModel(String modelPath, Options options) throws IOException {
    PretrainedModel model = ModelCache.get(modelPath);
    return new TextEmbedder(model.newEncoder(options.precision()), model.newTokenizer(options.maxTokens()), true,
        options);
  }

  public Options options() {
    return options;
  }

  public BertEncoder encoder() {
    return encoder;
  }

  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  public int dimension() {
    return encoder.config().hiddenSize();
  }

  public float[][] embed(List<String> texts) {
    List<TokenizedText> tokens = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      String t = texts.get(i);
      if (t == null) {
        throw new IllegalArgumentException("text " + i + " is null");
      }
      tokens.add(tokenizer.encode(t));
    }
    return embedTokenized(tokens);
  }

  /** Embeds already tokenized texts (each with [CLS]/[SEP], at most the model's positions long). */
  public float[][] embedTokenized(List<TokenizedText> texts) {
    int[] lengths = new int[texts.size()];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = texts.get(i).length();
      if (lengths[i] == 0) {
        throw new IllegalArgumentException("text " + i + " has no tokens (not even [CLS]/[SEP])");
      }
    }
    float[][] out = new float[texts.size()][];
    int dim = dimension();
    for (int[] batch : BatchPlan.plan(lengths, options.batchTokens(), options.maxBatchSize())) {
      List<TokenizedText> members = new ArrayList<>(batch.length);
      for (int i : batch) {
        members.add(texts.get(i));
      }
      try (NDManager scope = manager.newSubManager()) {
        NDArray embeddings = encoder.embed(EncoderInput.of(scope, members), ForwardContext.inference());
        float[] flat = embeddings.toFloatArray();
        for (int j = 0; j < batch.length; j++) {
          float[] row = new float[dim];
          System.arraycopy(flat, j * dim, row, 0, dim);
          out[batch[j]] = row;
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
    if (ownsTokenizer) {
      tokenizer.close();
    }
  }
}
