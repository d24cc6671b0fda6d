package org.loradist.pipelines.clean;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Document quality rules over normalised text (see {@link TextNormalizer}), each with its own reject reason.
 * Rules are checked in the order of {@link #REASONS}; the first that fails is the reason. Thread-safe.
 */
public final class QualityFilter {
  public static final String TOO_LONG = "quality:too_long";
  public static final String TOO_SHORT = "quality:too_short";
  public static final String TOO_FEW_WORDS = "quality:too_few_words";
  public static final String LOW_ALPHA_RATIO = "quality:low_alpha_ratio";
  public static final String SYMBOL_RATIO = "quality:symbol_ratio";
  public static final String MEAN_WORD_LENGTH = "quality:mean_word_length";
  public static final String REPEATED_LINES = "quality:repeated_lines";

  public static final List<String> REASONS = List.of(
      TOO_LONG, TOO_SHORT, TOO_FEW_WORDS, LOW_ALPHA_RATIO, SYMBOL_RATIO, MEAN_WORD_LENGTH, REPEATED_LINES);

  private final QualityConfig config;

  public QualityFilter(QualityConfig config) {
    this.config = config;
  }

  public QualityConfig config() {
    return config;
  }

  /** The reject reason of the first rule the text fails, or empty when it passes. */
  public Optional<String> check(String text) {
    return Optional.ofNullable(rejectReason(text));
  }

  /** As {@link #check}, without the Optional: null when the text passes. */
  public String rejectReason(String text) {
    // Length first: a huge document is refused without measuring it.
    if (text.length() > config.maxChars()) {
      return TOO_LONG;
    }
    if (text.length() < config.minChars()) {
      return TOO_SHORT;
    }
    return rejectReason(measure(text));
  }

  /** The rule checks on stats already measured. */
  public String rejectReason(QualityStats stats) {
    if (stats.chars() > config.maxChars()) {
      return TOO_LONG;
    }
    if (stats.chars() < config.minChars()) {
      return TOO_SHORT;
    }
    if (stats.words() < config.minWords()) {
      return TOO_FEW_WORDS;
    }
    if (stats.alphaRatio() < config.minAlphaRatio()) {
      return LOW_ALPHA_RATIO;
    }
    if (stats.symbolRatio() > config.maxSymbolRatio()) {
      return SYMBOL_RATIO;
    }
    double mean = stats.meanWordLength();
    if (!Double.isNaN(mean) && (mean < config.minMeanWordLength() || mean > config.maxMeanWordLength())) {
      return MEAN_WORD_LENGTH;
    }
    if (stats.repeatedLineFraction() > config.maxRepeatedLineFraction()) {
      return REPEATED_LINES;
    }
    return null;
  }

  /** All measures in one pass over the text. */
  public static QualityStats measure(String text) {
    int n = text.length();
    int nonSpace = 0;
    int letters = 0;
    int symbols = 0;
    int unspacedWords = 0;
    int spacedWords = 0;
    long spacedWordChars = 0;
    int currentWord = 0; // length of the spaced word being read, 0 when outside a word
    boolean lineHasContent = false;
    long lineHash = FNV_OFFSET;
    int lineLength = 0; // code points from the line's first visible one
    long lineChars = 0;
    long[] lineKeys = null;
    int lines = 0;
    int prevKind = NEWLINE;
    for (int i = 0; i < n; ) {
      char ch = text.charAt(i);
      int cp;
      int kind;
      if (ch < 128) {
        cp = ch;
        kind = ASCII_KIND[ch];
        i++;
      } else {
        cp = text.codePointAt(i);
        kind = kind(cp);
        i += Character.charCount(cp);
      }
      if (kind == NEWLINE) {
        if (lineHasContent) {
          lineKeys = addLine(lineKeys, lines++, lineKey(lineHash, lineLength));
          lineChars += lineLength;
        }
        lineHasContent = false;
        lineHash = FNV_OFFSET;
        lineLength = 0;
      } else if (kind != SPACE) {
        nonSpace++;
        lineHasContent = true;
      }
      if (lineHasContent) {
        // Indentation is not hashed: the same line indented differently still repeats.
        lineHash = (lineHash ^ cp) * FNV_PRIME;
        lineLength++;
      }
      if (kind == LETTER || kind == DIGIT) {
        if (kind == LETTER) {
          letters++;
        }
        currentWord++;
        prevKind = kind;
        continue;
      }
      if (kind == UNSPACED) {
        letters++;
        unspacedWords++;
      } else if (kind == SYMBOL) {
        symbols++;
      } else if ((cp == '\'' || cp == '\u2019') && prevKind == LETTER && i < n
          && Character.isLetter(text.codePointAt(i))) {
        prevKind = kind; // an apostrophe between letters ("don't") does not end the word
        continue;
      }
      if (currentWord > 0) {
        spacedWords++;
        spacedWordChars += currentWord;
        currentWord = 0;
      }
      prevKind = kind;
    }
    if (currentWord > 0) {
      spacedWords++;
      spacedWordChars += currentWord;
    }
    if (lineHasContent) {
      lineKeys = addLine(lineKeys, lines++, lineKey(lineHash, lineLength));
      lineChars += lineLength;
    }
    // Lines equal to an earlier line: sort the keys, every key equal to its predecessor is a repeat.
    int repeatedLines = 0;
    long repeatedLineChars = 0;
    if (lines > 1) {
      Arrays.sort(lineKeys, 0, lines);
      for (int k = 1; k < lines; k++) {
        if (lineKeys[k] == lineKeys[k - 1]) {
          repeatedLines++;
          repeatedLineChars += lineKeys[k] & LENGTH_MASK;
        }
      }
    }
    return new QualityStats(n, nonSpace, letters, symbols, unspacedWords + spacedWords, spacedWords,
        spacedWordChars, lines, repeatedLines, lineChars, repeatedLineChars);
  }

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private static long[] addLine(long[] hashes, int index, long hash) {
    if (hashes == null) {
      hashes = new long[16];
    } else if (index == hashes.length) {
      hashes = Arrays.copyOf(hashes, index * 2);
    }
    hashes[index] = hash;
    return hashes;
  }

  private static final long LENGTH_MASK = (1L << 24) - 1;

  /** A line's identity and length in one long: 40 bits of its hash, 24 bits of its length (capped). */
  private static long lineKey(long hash, int length) {
    return (hash & ~LENGTH_MASK) | Math.min(length, LENGTH_MASK);
  }

  private static final int OTHER = 0;
  private static final int LETTER = 1;
  private static final int DIGIT = 2;
  private static final int UNSPACED = 3;
  private static final int SYMBOL = 4;
  private static final int SPACE = 5;
  private static final int NEWLINE = 6;

  private static final byte[] ASCII_KIND = new byte[128];

  static {
    for (int c = 0; c < 128; c++) {
      int kind = OTHER;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        kind = LETTER;
      } else if (c >= '0' && c <= '9') {
        kind = DIGIT;
      } else if ("#$%&*+/<=>@\\^_`|~[]{}".indexOf(c) >= 0) {
        kind = SYMBOL;
      } else if (c == '\n') {
        kind = NEWLINE;
      } else if (c == ' ' || (c >= '\t' && c <= '\r')) {
        kind = SPACE;
      }
      ASCII_KIND[c] = (byte) kind;
    }
  }

  private static int kind(int cp) {
    if (cp < 128) {
      return ASCII_KIND[cp];
    }
    int type = Character.getType(cp);
    switch (type) {
      case Character.SPACE_SEPARATOR:
        return SPACE;
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
        return NEWLINE;
      case Character.UPPERCASE_LETTER:
      case Character.LOWERCASE_LETTER:
      case Character.TITLECASE_LETTER:
      case Character.MODIFIER_LETTER:
      case Character.OTHER_LETTER:
      case Character.NON_SPACING_MARK:
      case Character.COMBINING_SPACING_MARK:
      case Character.ENCLOSING_MARK:
        return isUnspacedScript(cp) ? UNSPACED : LETTER;
      case Character.DECIMAL_DIGIT_NUMBER:
      case Character.LETTER_NUMBER:
      case Character.OTHER_NUMBER:
        return DIGIT;
      case Character.MATH_SYMBOL:
      case Character.CURRENCY_SYMBOL:
      case Character.MODIFIER_SYMBOL:
      case Character.OTHER_SYMBOL:
        return SYMBOL;
      default:
        return OTHER;
    }
  }

  /** Scripts written without spaces between words: their "words" cannot be found by splitting. */
  private static boolean isUnspacedScript(int cp) {
    if (cp < 0x0E00) {
      return false;
    }
    Character.UnicodeScript script = Character.UnicodeScript.of(cp);
    switch (script) {
      case HAN:
      case HIRAGANA:
      case KATAKANA:
      case THAI:
      case LAO:
      case KHMER:
      case MYANMAR:
      case TIBETAN:
        return true;
      default:
        return false;
    }
  }
}
