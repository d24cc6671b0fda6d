package org.loradist.pipelines.chunk;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.loradist.model.DefaultModel;
import org.loradist.text.TextTokenizer;

/**
 * Token spans of a BERT WordPiece tokenizer (BertNormalizer + BertPreTokenizer + WordPiece, as in the default
 * model's tokenizer.json), computed in plain Java. Why: chunking needs only where tokens lie, and the Hugging Face
 * tokenizer through JNI runs at 1-3 MB/s per core here (it builds ids, type ids, token strings and span objects
 * for every token), far below the prep job's 20 MB/s; this runs many times faster. It reproduces the Rust
 * tokenizer's steps in its order: added tokens ([CLS], [SEP], ...) matched in the raw text; clean_text (drops NUL,
 * U+FFFD and Unicode "other" characters, whitespace becomes a space); CJK ideographs become single-character words;
 * NFD with non-spacing marks removed (strip_accents) and lower-casing; split at whitespace and punctuation; greedy
 * longest-match-first word pieces, a word longer than max_input_chars_per_word (or with no piece match) being one
 * [UNK]. Tests compare its spans with the Hugging Face tokenizer's on real and adversarial texts.
 */
final class BertWordPieceSpans {
  private final VocabTable wordStarts; // pieces that begin a word
  private final VocabTable continuations; // pieces after the first, stored without the prefix
  private final int maxWordChars;
  private final int maxPieceChars;
  private final boolean lowercase;
  private final boolean stripAccents;
  private final List<String> addedTokens;
  private final boolean[] addedFirstAscii = new boolean[128]; // which characters may start an added token
  private final boolean addedNonAscii;
  private final String[] bmpNormalized = new String[0x10000]; // per-char normalization memo (benign races)

  private BertWordPieceSpans(Set<String> vocab, String prefix, int maxWordChars, boolean lowercase,
                             boolean stripAccents, List<String> addedTokens) {
    List<String> starts = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (String v : vocab) {
      if (!prefix.isEmpty() && v.startsWith(prefix)) {
        rest.add(v.substring(prefix.length()));
      }
      starts.add(v);
    }
    this.wordStarts = new VocabTable(starts);
    this.continuations = new VocabTable(rest);
    this.maxWordChars = maxWordChars;
    this.lowercase = lowercase;
    this.stripAccents = stripAccents;
    this.addedTokens = addedTokens;
    int longest = 0;
    for (String v : vocab) {
      longest = Math.max(longest, v.length());
    }
    this.maxPieceChars = longest;
    boolean nonAscii = false;
    for (String t : addedTokens) {
      if (t.isEmpty()) {
        continue;
      }
      if (t.charAt(0) < 0x80) {
        addedFirstAscii[t.charAt(0)] = true;
      } else {
        nonAscii = true;
      }
    }
    this.addedNonAscii = nonAscii;
  }

  /** The plain-Java spans for this tokenizer when its tokenizer.json is BERT WordPiece; empty otherwise. */
  static Optional<BertWordPieceSpans> forTokenizer(TextTokenizer tokenizer) {
    String origin = tokenizer.origin();
    try (InputStream in = origin.startsWith("classpath:")
        ? DefaultModel.open(origin.substring("classpath:".length()))
        : Files.newInputStream(Path.of(origin));
         Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return fromJson(JsonParser.parseReader(reader).getAsJsonObject());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer " + origin, e);
    }
  }

  static Optional<BertWordPieceSpans> fromJson(JsonObject json) {
    JsonObject normalizer = object(json, "normalizer");
    JsonObject preTokenizer = object(json, "pre_tokenizer");
    JsonObject model = object(json, "model");
    if (normalizer == null || preTokenizer == null || model == null
        || !"BertNormalizer".equals(string(normalizer, "type"))
        || !"BertPreTokenizer".equals(string(preTokenizer, "type"))
        || !"WordPiece".equals(string(model, "type"))
        || !bool(normalizer, "clean_text", true) || !bool(normalizer, "handle_chinese_chars", true)) {
      return Optional.empty();
    }
    boolean lowercase = bool(normalizer, "lowercase", true);
    boolean stripAccents = bool(normalizer, "strip_accents", lowercase); // null follows lowercase, as in tokenizers
    Set<String> vocab = new HashSet<>();
    for (Map.Entry<String, JsonElement> e : model.getAsJsonObject("vocab").entrySet()) {
      vocab.add(e.getKey());
    }
    String prefix = model.has("continuing_subword_prefix") ? string(model, "continuing_subword_prefix") : "##";
    int maxWordChars = model.has("max_input_chars_per_word")
        ? model.get("max_input_chars_per_word").getAsInt() : 100;
    List<String> added = new ArrayList<>();
    if (json.has("added_tokens") && json.get("added_tokens").isJsonArray()) {
      for (JsonElement e : json.getAsJsonArray("added_tokens")) {
        JsonObject t = e.getAsJsonObject();
        if (bool(t, "normalized", false) || bool(t, "lstrip", false) || bool(t, "rstrip", false)
            || bool(t, "single_word", false)) {
          return Optional.empty(); // matching rules this class does not reproduce
        }
        added.add(string(t, "content"));
      }
    }
    // longest first, so that a token that is a prefix of another never wins
    added.sort((x, y) -> y.length() - x.length());
    return Optional.of(new BertWordPieceSpans(vocab, prefix, maxWordChars, lowercase, stripAccents, added));
  }

  /** The content-token spans of the text (what encodeContent's starts/ends would be). */
  TokenSpans spans(String text) {
    Builder out = new Builder(Math.max(16, text.length() / 4));
    Word word = new Word();
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c < 0x80 ? addedFirstAscii[c] : addedNonAscii) {
        String added = addedAt(text, i);
        if (added != null) {
          flush(word, out);
          out.add(i, i + added.length());
          i += added.length();
          continue;
        }
      }
      if (c < 0x80) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
          flush(word, out);
        } else if (c < 0x20 || c == 0x7f) {
          // control character: removed by clean_text, the word goes on
        } else if (isAsciiPunctuation(c)) {
          flush(word, out);
          out.add(i, i + 1);
        } else {
          word.append(lowercase && c >= 'A' && c <= 'Z' ? (char) (c + 32) : c, i, i + 1);
        }
        i++;
        continue;
      }
      int cp = text.codePointAt(i);
      int len = Character.charCount(cp);
      if (cp == 0xFFFD || isOther(cp)) {
        // removed by clean_text
      } else if (isWhitespace(cp)) {
        flush(word, out);
      } else if (isChineseChar(cp)) {
        flush(word, out);
        out.add(i, i + len);
      } else {
        String normalized = normalize(cp);
        for (int q = 0; q < normalized.length(); ) {
          int ncp = normalized.codePointAt(q);
          if (isWhitespace(ncp)) {
            flush(word, out);
          } else if (isPunctuation(ncp)) {
            flush(word, out);
            out.add(i, i + len);
          } else {
            word.appendCodePoint(ncp, i, i + len);
          }
          q += Character.charCount(ncp);
        }
      }
      i += len;
    }
    flush(word, out);
    return out.build();
  }

  private String addedAt(String text, int i) {
    for (String t : addedTokens) {
      if (text.startsWith(t, i)) {
        return t;
      }
    }
    return null;
  }

  /** Greedy longest-match-first word pieces of the buffered word; one [UNK] when a piece has no match. */
  private void flush(Word word, Builder out) {
    int len = word.length;
    if (len == 0) {
      return;
    }
    StringBuilder s = word.chars;
    int wordStart = word.origStart[0];
    int wordEnd = word.origEnd[len - 1];
    if (len > maxWordChars && Character.codePointCount(s, 0, len) > maxWordChars) {
      out.add(wordStart, wordEnd);
      word.clear();
      return;
    }
    int mark = out.size;
    int pos = 0;
    while (pos < len) {
      int end = Math.min(len, pos + maxPieceChars);
      if (end < len && Character.isLowSurrogate(s.charAt(end))) {
        end--;
      }
      boolean found = false;
      while (end > pos) {
        if ((pos == 0 ? wordStarts : continuations).contains(s, pos, end)) {
          found = true;
          break;
        }
        end--;
        if (end > pos && Character.isLowSurrogate(s.charAt(end))) {
          end--;
        }
      }
      if (!found) {
        out.size = mark;
        out.add(wordStart, wordEnd);
        word.clear();
        return;
      }
      out.add(word.origStart[pos], word.origEnd[end - 1]);
      pos = end;
    }
    word.clear();
  }

  /** NFD without non-spacing marks, lower-cased: what BertNormalizer makes of one character. */
  private String normalize(int cp) {
    if (cp < 0x10000) {
      String memo = bmpNormalized[cp];
      if (memo == null) {
        memo = normalizeUncached(cp);
        bmpNormalized[cp] = memo;
      }
      return memo;
    }
    return normalizeUncached(cp);
  }

  private String normalizeUncached(int cp) {
    String s = new String(Character.toChars(cp));
    if (stripAccents) {
      String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
      StringBuilder kept = new StringBuilder(nfd.length());
      nfd.codePoints().filter(x -> Character.getType(x) != Character.NON_SPACING_MARK).forEach(kept::appendCodePoint);
      s = kept.toString();
    }
    if (lowercase) {
      StringBuilder lower = new StringBuilder(s.length());
      s.codePoints().map(Character::toLowerCase).forEach(lower::appendCodePoint);
      s = lower.toString();
    }
    return s;
  }

  private static boolean isAsciiPunctuation(char c) {
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
  }

  /** Rust's char::is_whitespace (the White_Space property); controls among them are removed before. */
  static boolean isWhitespace(int cp) {
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.isSpaceChar(cp);
  }

  private static boolean isOther(int cp) {
    int type = Character.getType(cp);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
        || type == Character.SURROGATE || type == Character.UNASSIGNED;
  }

  private static boolean isPunctuation(int cp) {
    if (cp < 0x80) {
      return isAsciiPunctuation((char) cp);
    }
    int type = Character.getType(cp);
    return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
        || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
        || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
        || type == Character.OTHER_PUNCTUATION;
  }

  /** The CJK ranges of BertNormalizer's handle_chinese_chars. */
  static boolean isChineseChar(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }

  private static JsonObject object(JsonObject json, String key) {
    JsonElement e = json.get(key);
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
  }

  private static String string(JsonObject json, String key) {
    JsonElement e = json.get(key);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }

  private static boolean bool(JsonObject json, String key, boolean ifNull) {
    JsonElement e = json.get(key);
    return e == null || e.isJsonNull() ? ifNull : e.getAsBoolean();
  }

  /** The normalized characters of the word being read, each with the source span it came from. */
  private static final class Word {
    final StringBuilder chars = new StringBuilder(32);
    int[] origStart = new int[32];
    int[] origEnd = new int[32];
    int length;

    void append(char c, int start, int end) {
      if (length == origStart.length) {
        origStart = Arrays.copyOf(origStart, length * 2);
        origEnd = Arrays.copyOf(origEnd, length * 2);
      }
      chars.append(c);
      origStart[length] = start;
      origEnd[length] = end;
      length++;
    }

    void appendCodePoint(int cp, int start, int end) {
      if (cp < 0x10000) {
        append((char) cp, start, end);
      } else {
        append(Character.highSurrogate(cp), start, end);
        append(Character.lowSurrogate(cp), start, end);
      }
    }

    void clear() {
      chars.setLength(0);
      length = 0;
    }
  }

  private static final class Builder {
    int[] starts;
    int[] ends;
    int size;

    Builder(int capacity) {
      starts = new int[capacity];
      ends = new int[capacity];
    }

    void add(int start, int end) {
      if (size == starts.length) {
        starts = Arrays.copyOf(starts, size * 2);
        ends = Arrays.copyOf(ends, size * 2);
      }
      starts[size] = start;
      ends[size] = end;
      size++;
    }

    TokenSpans build() {
      return new TokenSpans(Arrays.copyOf(starts, size), Arrays.copyOf(ends, size));
    }
  }
}
