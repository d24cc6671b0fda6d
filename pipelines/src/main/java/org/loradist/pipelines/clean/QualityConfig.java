package org.loradist.pipelines.clean;

import java.io.Serializable;

/**
 * Thresholds of the document quality rules ({@link QualityFilter}). A rule is off when its threshold cannot bind:
 * 0 for the minimums, {@code Integer.MAX_VALUE} / {@code Double.MAX_VALUE} for the lengths, 1.0 for the fractions.
 *
 * @param minChars minimum length in UTF-16 chars ({@code quality:too_short})
 * @param maxChars maximum length in UTF-16 chars ({@code quality:too_long})
 * @param minWords minimum number of words ({@code quality:too_few_words})
 * @param minAlphaRatio minimum share of letters among non-whitespace characters ({@code quality:low_alpha_ratio})
 * @param minMeanWordLength minimum mean length of words in space-separated scripts ({@code quality:mean_word_length})
 * @param maxMeanWordLength maximum of the same
 * @param maxRepeatedLineFraction maximum share of the text (chars of non-blank lines) in lines that repeat an
 *     earlier line ({@code quality:repeated_lines}); see {@link QualityStats#repeatedLineFraction()}
 * @param maxSymbolRatio maximum share of symbol characters among non-whitespace characters
 *     ({@code quality:symbol_ratio})
 */
public record QualityConfig(int minChars, int maxChars, int minWords, double minAlphaRatio,
                            double minMeanWordLength, double maxMeanWordLength, double maxRepeatedLineFraction,
                            double maxSymbolRatio) implements Serializable {

  /**
   * Defaults measured on the debian-packages dev split (7,032 descriptions, all kept, see the module's tests) and
   * set with head-room, so that they reject boilerplate, gibberish and symbol soup but not terse technical prose.
   */
  public static final QualityConfig DEFAULTS =
      new QualityConfig(16, 1_000_000, 3, 0.5, 2.0, 20.0, 0.8, 0.2);

  /** Every rule off. */
  public static final QualityConfig NONE =
      new QualityConfig(0, Integer.MAX_VALUE, 0, 0.0, 0.0, Double.MAX_VALUE, 1.0, 1.0);

  public QualityConfig {
    requireAtLeast("minChars", minChars, 0);
    requireAtLeast("maxChars", maxChars, 1);
    if (maxChars < minChars) {
      throw new IllegalArgumentException(
          "maxChars = " + maxChars + " is below minChars = " + minChars + "; allowed: maxChars >= minChars");
    }
    requireAtLeast("minWords", minWords, 0);
    requireFraction("minAlphaRatio", minAlphaRatio);
    if (!(minMeanWordLength >= 0.0)) {
      throw new IllegalArgumentException("minMeanWordLength = " + minMeanWordLength + "; allowed: >= 0");
    }
    if (!(maxMeanWordLength >= minMeanWordLength)) {
      throw new IllegalArgumentException("maxMeanWordLength = " + maxMeanWordLength
          + " is below minMeanWordLength = " + minMeanWordLength + "; allowed: maxMeanWordLength >= minMeanWordLength");
    }
    requireFraction("maxRepeatedLineFraction", maxRepeatedLineFraction);
    requireFraction("maxSymbolRatio", maxSymbolRatio);
  }

  public QualityConfig withMinChars(int value) {
    return new QualityConfig(value, maxChars, minWords, minAlphaRatio, minMeanWordLength, maxMeanWordLength,
        maxRepeatedLineFraction, maxSymbolRatio);
  }

  public QualityConfig withMaxChars(int value) {
    return new QualityConfig(minChars, value, minWords, minAlphaRatio, minMeanWordLength, maxMeanWordLength,
        maxRepeatedLineFraction, maxSymbolRatio);
  }

  private static void requireAtLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " = " + value + "; allowed: >= " + min);
    }
  }

  private static void requireFraction(String name, double value) {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new IllegalArgumentException(name + " = " + value + "; allowed: 0.0 to 1.0");
    }
  }
}
