package org.loradist.pipelines.clean;

/**
 * What {@link QualityFilter} measures of one text, in one pass. Counts are of code points except {@code chars}
 * (UTF-16 length, the unit of every offset in the project).
 *
 * @param chars UTF-16 length
 * @param nonSpace code points that are not whitespace
 * @param letters letters and combining marks (any script)
 * @param symbols symbol characters: Unicode symbols (math, currency, modifiers, box drawing, emoji) and the ASCII
 *     {@code # $ % & * + / < = > @ \ ^ _ ` | ~ [ ] { }}; prose punctuation is not counted
 * @param words runs of letters/digits (an apostrophe between letters stays inside a word); in scripts written
 *     without spaces (Han, kana, Thai, Lao, Khmer, Myanmar) each character counts as one word
 * @param spacedWords words of space-separated scripts, the ones the mean word length is taken over
 * @param spacedWordChars their total length
 * @param lines non-blank lines
 * @param repeatedLines non-blank lines equal (ignoring indentation) to an earlier line
 * @param lineChars code points in non-blank lines (without indentation)
 * @param repeatedLineChars code points in the repeated lines
 */
public record QualityStats(int chars, int nonSpace, int letters, int symbols, int words, int spacedWords,
                           long spacedWordChars, int lines, int repeatedLines, long lineChars,
                           long repeatedLineChars) {

  public double alphaRatio() {
    return nonSpace == 0 ? 0.0 : (double) letters / nonSpace;
  }

  public double symbolRatio() {
    return nonSpace == 0 ? 0.0 : (double) symbols / nonSpace;
  }

  /** Mean word length over space-separated words; NaN when there are none (the rule then does not apply). */
  public double meanWordLength() {
    return spacedWords == 0 ? Double.NaN : (double) spacedWordChars / spacedWords;
  }

  /**
   * Share of the text (by characters, over non-blank lines) in lines that repeat an earlier line. Weighted by
   * length so that short repeated table cells ("yes", "X", "reserved") weigh little and repeated boilerplate
   * paragraphs weigh a lot.
   */
  public double repeatedLineFraction() {
    return lineChars == 0 ? 0.0 : (double) repeatedLineChars / lineChars;
  }
}
