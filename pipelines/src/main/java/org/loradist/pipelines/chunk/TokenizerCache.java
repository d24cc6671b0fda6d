package org.loradist.pipelines.chunk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.loradist.model.DefaultModel;
import org.loradist.text.TextTokenizer;
import org.loradist.text.TokenizedText;

/**
 * One tokenizer per JVM and tokenizer path (null = the default model), loaded on first use and kept for the JVM's
 * life: executors chunk many partitions, and loading a tokenizer (and its 30k-entry vocabulary) per partition or
 * per row would cost more than chunking. This map is the only mutable static state of the chunking stage.
 */
final class TokenizerCache {
  /** A loaded tokenizer with what the chunker derives from it. */
  record Loaded(TextTokenizer tokenizer, Function<String, TokenSpans> spans, int specialTokens) {}

  private static final String DEFAULT_KEY = "\0default";
  private static final ConcurrentHashMap<String, Loaded> CACHE = new ConcurrentHashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger(); // how many tokenizers this JVM loaded (tests)

  private TokenizerCache() {}

  static Loaded get(String tokenizerPath) {
    return CACHE.computeIfAbsent(tokenizerPath == null ? DEFAULT_KEY : tokenizerPath, TokenizerCache::load);
  }

  static int loads() {
    return LOADS.get();
  }

  private static Loaded load(String key) {
    LOADS.incrementAndGet();
    TextTokenizer tokenizer;
    if (key.equals(DEFAULT_KEY)) {
      tokenizer = TextTokenizer.defaultModel(DefaultModel.DEFAULT_MAX_TOKENS);
    } else {
      try {
        tokenizer = TextTokenizer.fromFile(Path.of(key), DefaultModel.DEFAULT_MAX_TOKENS);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new Loaded(tokenizer, spansOf(tokenizer, true), Chunker.specialTokenCount(tokenizer));
  }

  /** Plain-Java spans when the tokenizer is BERT WordPiece (and wanted), else the Hugging Face tokenizer's. */
  static Function<String, TokenSpans> spansOf(TextTokenizer tokenizer, boolean plainJava) {
    Optional<BertWordPieceSpans> fast = plainJava ? BertWordPieceSpans.forTokenizer(tokenizer) : Optional.empty();
    if (fast.isPresent()) {
      return fast.get()::spans;
    }
    return text -> {
      TokenizedText t = tokenizer.encodeContent(text);
      return new TokenSpans(t.starts(), t.ends());
    };
  }
}
