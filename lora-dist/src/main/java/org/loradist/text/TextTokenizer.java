package org.loradist.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.loradist.model.DefaultModel;

/**
 * A Hugging Face tokenizer (tokenizer.json) through DJL. Thread-safe for encode calls.
 * Offsets are converted from the Rust library's code-point offsets to Java UTF-16 indices, so
 * {@code text.substring(starts[i], ends[i])} is the i-th token's source text.
 */
public final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final HuggingFaceTokenizer untruncated;
  private final int maxTokens;
  private final String origin;

  private TextTokenizer(InputStreamSupplier json, int maxTokens, String origin) throws IOException {
    if (maxTokens < 3) {
      throw new IllegalArgumentException("maxTokens must be at least 3, got " + maxTokens);
    }
    this.maxTokens = maxTokens;
    this.origin = origin;
    this.tokenizer = load(json, origin, Map.of("addSpecialTokens", "true", "truncation", "true",
        "maxLength", Integer.toString(maxTokens), "padding", "false"));
    this.untruncated = load(json, origin, Map.of("addSpecialTokens", "false", "truncation", "false",
        "padding", "false", "modelMaxLength", Integer.toString(Integer.MAX_VALUE / 2)));
  }

  private static HuggingFaceTokenizer load(InputStreamSupplier json, String origin, Map<String, String> opts)
      throws IOException {
    try (InputStream in = json.open()) {
      return HuggingFaceTokenizer.newInstance(in, new HashMap<>(opts));
    } catch (RuntimeException e) {
      throw new IOException("cannot read tokenizer " + origin + ": " + e.getMessage(), e);
    }
  }

  /** The default model's tokenizer (all-MiniLM-L6-v2) from the classpath. */
  public static TextTokenizer defaultModel(int maxTokens) {
    try {
      return new TextTokenizer(() -> DefaultModel.open(DefaultModel.TOKENIZER_RESOURCE), maxTokens,
          "classpath:" + DefaultModel.TOKENIZER_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static TextTokenizer defaultModel() {
    return defaultModel(DefaultModel.DEFAULT_MAX_TOKENS);
  }

  /** A tokenizer.json file; the error names the file when it is missing or not a tokenizer. */
  public static TextTokenizer fromFile(Path tokenizerJson, int maxTokens) throws IOException {
    if (!Files.isRegularFile(tokenizerJson)) {
      throw new IOException("tokenizer file not found: " + tokenizerJson);
    }
    return new TextTokenizer(() -> Files.newInputStream(tokenizerJson), maxTokens, tokenizerJson.toString());
  }

  public int maxTokens() {
    return maxTokens;
  }

  public String origin() {
    return origin;
  }

  /** Model input: special tokens added, truncated to {@link #maxTokens()}. */
  public TokenizedText encode(String text) {
    return convert(text, tokenizer.encode(text));
  }

  /** Content tokens only (no [CLS]/[SEP]), never truncated: for counting and splitting text. */
  public TokenizedText encodeContent(String text) {
    return convert(text, untruncated.encode(text));
  }

  public int countContentTokens(String text) {
    return untruncated.encode(text).getIds().length;
  }

  /** The id of a vocabulary token, or -1 when the vocabulary lacks it. */
  public long tokenId(String token) {
    Encoding e = untruncated.encode(token);
    long[] ids = e.getIds();
    return ids.length == 1 && token.equals(e.getTokens()[0]) ? ids[0] : -1;
  }

  /** Text of token ids (the tokenizer's decoder: byte-level BPE gives back the exact bytes); special tokens skipped. */
  public String decode(long[] ids) {
    return untruncated.decode(ids, true);
  }

  private static TokenizedText convert(String text, Encoding e) {
    long[] ids = e.getIds();
    CharSpan[] spans = e.getCharTokenSpans();
    long[] specialMask = e.getSpecialTokenMask();
    int n = ids.length;
    int[] starts = new int[n];
    int[] ends = new int[n];
    boolean[] special = new boolean[n];
    CodePointIndex index = CodePointIndex.of(text);
    for (int i = 0; i < n; i++) {
      special[i] = specialMask[i] != 0;
      CharSpan span = spans[i];
      if (!special[i] && span != null) {
        starts[i] = index.toUtf16(span.getStart());
        ends[i] = index.toUtf16(span.getEnd());
      }
    }
    return new TokenizedText(ids, e.getTypeIds(), e.getAttentionMask(), starts, ends, special, e.exceedMaxLength());
  }

  @Override
  public void close() {
    tokenizer.close();
    untruncated.close();
  }

  @FunctionalInterface
  private interface InputStreamSupplier {
    InputStream open() throws IOException;
  }

  /** Maps code-point offsets to UTF-16 indices; identity for texts without surrogate pairs. */
  private record CodePointIndex(int[] utf16OfCodePoint) {
    static CodePointIndex of(String text) {
      if (text.codePointCount(0, text.length()) == text.length()) {
        return new CodePointIndex(null);
      }
      int cps = text.codePointCount(0, text.length());
      int[] map = new int[cps + 1];
      int u = 0;
      for (int cp = 0; cp < cps; cp++) {
        map[cp] = u;
        u += Character.charCount(text.codePointAt(u));
      }
      map[cps] = u;
      return new CodePointIndex(map);
    }

    int toUtf16(int codePoint) {
      return utf16OfCodePoint == null ? codePoint : utf16OfCodePoint[Math.min(codePoint, utf16OfCodePoint.length - 1)];
    }
  }
}
