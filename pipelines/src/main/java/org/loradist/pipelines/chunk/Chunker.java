package org.loradist.pipelines.chunk;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.loradist.pipelines.chunk.MarkdownSections.Section;
import org.loradist.text.TextTokenizer;
import org.loradist.text.TokenizedText;

/**
 * Cuts a document's text into chunks that fit the embedder's input (see {@link ChunkConfig} for the budget).
 *
 * <p>The text is tokenized once; every cut is a gap between two tokens, so a chunk's token count is the number of
 * document tokens inside it. That count equals re-tokenizing the chunk's text alone for tokenizers that pre-split at
 * whitespace and punctuation (WordPiece/BERT, the default model), because chunks begin and end at word
 * boundaries there. Sections (see {@link MarkdownSections}) are hard boundaries: a chunk never spans two.
 *
 * <p>Within a section chunks are packed greedily: from the chunk's first token, the cut goes at the best gap in
 * the window that keeps the chunk within budget and at least half full — a paragraph break over a sentence end
 * over a line break over a word boundary, the latest such gap — and not so late that the rest of the section
 * would make a chunk of less than a quarter budget. Only when the window has no word boundary at all (one
 * "word" longer than the budget: a long URL, base64) is the cut placed between two tokens of a word. The next
 * chunk starts at the earliest word boundary among the last {@code overlapTokens} tokens of the previous one.
 *
 * <p>Chunk edges are trimmed of whitespace. Characters the tokenizer ignores (control and format characters)
 * travel with the neighbouring word; such characters standing alone between two spaces at a cut fall into no
 * chunk, and a section without any token (only such characters) yields no chunk. Thread-safe; deterministic.
 */
public final class Chunker {
  private final Function<String, TokenSpans> tokenize;
  private final ChunkConfig config;
  private final int budget;

  /**
   * A chunker for the tokenizer's model. For a BERT WordPiece tokenizer.json (the default model) token spans come
   * from {@link BertWordPieceSpans}, the same spans in plain Java and many times faster; for any other tokenizer
   * from the Hugging Face tokenizer itself.
   */
  public Chunker(TextTokenizer tokenizer, ChunkConfig config) {
    this(tokenizer, config, true);
  }

  /** As above; {@code plainJavaSpans=false} always asks the Hugging Face tokenizer (for comparison and tests). */
  public Chunker(TextTokenizer tokenizer, ChunkConfig config, boolean plainJavaSpans) {
    this(TokenizerCache.spansOf(tokenizer, plainJavaSpans), specialTokenCount(tokenizer), config);
  }

  private Chunker(Function<String, TokenSpans> tokenize, int specialTokens, ChunkConfig config) {
    this.tokenize = tokenize;
    this.config = config;
    this.budget = config.contentBudget(specialTokens);
  }

  /**
   * A chunker on the JVM's shared tokenizer for this tokenizer.json path (null = the default model): loaded once
   * per JVM, so this is cheap to call per partition.
   */
  public static Chunker cached(String tokenizerPath, ChunkConfig config) {
    TokenizerCache.Loaded loaded = TokenizerCache.get(tokenizerPath);
    return new Chunker(loaded.spans(), loaded.specialTokens(), config);
  }

  /** How many special tokens the model adds around every input ([CLS] + [SEP] = 2 for BERT). */
  public static int specialTokenCount(TextTokenizer tokenizer) {
    TokenizedText empty = tokenizer.encode("");
    int specials = 0;
    for (boolean s : empty.special()) {
      specials += s ? 1 : 0;
    }
    return specials;
  }

  public ChunkConfig config() {
    return config;
  }

  /** The most content tokens a chunk holds. */
  public int contentBudget() {
    return budget;
  }

  public List<Chunk> chunk(String text) {
    List<Chunk> out = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    TokenSpans tokens = tokenize.apply(text);
    int[] starts = tokens.starts();
    int[] ends = tokens.ends();
    byte[] levels = Boundaries.classify(text, starts, ends);
    Doc doc = new Doc(text, starts, ends, levels);
    int a = 0;
    for (Section section : MarkdownSections.split(text)) {
      a = lowerBound(starts, a, section.start());
      int b = lowerBound(starts, a, section.end());
      if (b > a) {
        packSection(doc, section, a, b, out);
      }
      a = b;
    }
    return out;
  }

  private record Doc(String text, int[] starts, int[] ends, byte[] levels) {}

  /** Emits the chunks of one section whose tokens are [a, b). */
  private void packSection(Doc doc, Section section, int a, int b, List<Chunk> out) {
    String text = doc.text();
    int sectionStart = section.start();
    while (Boundaries.isSpace(text.charAt(sectionStart))) {
      sectionStart++;
    }
    int sectionEnd = section.end();
    while (Boundaries.isSpace(text.charAt(sectionEnd - 1))) {
      sectionEnd--;
    }
    int i = a;
    int startChar = sectionStart;
    int prevCut = a - 1;
    while (true) {
      if (b - i <= budget) {
        emit(out, text, startChar, sectionEnd, b - i, section);
        return;
      }
      int k = chooseCut(doc, i, prevCut, b);
      emit(out, text, startChar, leftEnd(doc, k), k - i + 1, section);
      int next = k + 1;
      for (int m = Math.max(k + 1 - config.overlapTokens(), i + 1); m <= k; m++) {
        if (doc.levels()[m - 1] >= Boundaries.WORD) {
          next = m;
          break;
        }
      }
      startChar = rightStart(doc, next - 1);
      prevCut = k;
      i = next;
    }
  }

  /** The last token of the chunk that starts at token i (more than a budget of tokens remain before b). */
  private int chooseCut(Doc doc, int i, int prevCut, int b) {
    byte[] levels = doc.levels();
    int last = i + budget - 1; // the chunk may not go past this token
    int from = Math.max(i + budget / 2, prevCut + 1);
    int to = Math.min(last, b - 1 - budget / 4);
    if (to < from) {
      to = last;
    }
    // one backward scan finds the latest gap of each level in [from, to]
    int[] best = {-1, -1, -1, -1, -1};
    for (int k = to; k >= from; k--) {
      int level = levels[k];
      if (best[level] < 0) {
        best[level] = k;
        if (level == Boundaries.PARAGRAPH) {
          break;
        }
      }
    }
    for (int level = Boundaries.PARAGRAPH; level >= Boundaries.WORD; level--) {
      if (best[level] >= 0) {
        return best[level];
      }
    }
    // no word boundary in the preferred window: take any word boundary that still makes progress ...
    for (int k = last; k > prevCut && k >= i; k--) {
      if (levels[k] >= Boundaries.WORD) {
        return k;
      }
    }
    // ... else the window is one long word: cut between two of its tokens (where they do not share characters)
    for (int k = last; k > prevCut && k >= i; k--) {
      if (doc.starts()[k + 1] >= doc.ends()[k]) {
        return k;
      }
    }
    return last;
  }

  /** Where a chunk ending after token k ends: the token's end plus any ignored characters glued to it. */
  private static int leftEnd(Doc doc, int k) {
    int g0 = doc.ends()[k];
    int g1 = doc.starts()[k + 1];
    if (g1 <= g0) {
      return g0;
    }
    int e = g0;
    while (e < g1 && !Boundaries.isSpace(doc.text().charAt(e))) {
      e++;
    }
    return e; // == g1 when the gap holds no whitespace: then the whole gap goes left
  }

  /** Where a chunk starting after the gap following token k starts. */
  private static int rightStart(Doc doc, int k) {
    int g0 = doc.ends()[k];
    int g1 = doc.starts()[k + 1];
    if (g1 <= g0) {
      return g0;
    }
    int s = g1;
    while (s > g0 && !Boundaries.isSpace(doc.text().charAt(s - 1))) {
      s--;
    }
    return s == g0 ? g1 : s; // no whitespace: the gap went to the left chunk
  }

  private static void emit(List<Chunk> out, String text, int start, int end, int nTokens, Section section) {
    out.add(new Chunk(out.size(), text.substring(start, end), start, end, nTokens, section.headings()));
  }

  /** First index in [from, starts.length) whose start is >= pos (starts is non-decreasing). */
  private static int lowerBound(int[] starts, int from, int pos) {
    int lo = from;
    int hi = starts.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (starts[mid] < pos) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
