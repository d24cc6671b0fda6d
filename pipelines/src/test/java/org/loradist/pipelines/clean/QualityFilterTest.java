package org.loradist.pipelines.clean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class QualityFilterTest {
  private final QualityFilter filter = new QualityFilter(QualityConfig.DEFAULTS);

  private Optional<String> check(String text) {
    return filter.check(text);
  }

  @Test
  void ordinaryTechnicalProsePasses() {
    assertThat(check("2vcard converts address books and alias files into the widely-used\nvCard format.")).isEmpty();
    assertThat(check("Maui theme for SDDM")).isEmpty(); // the shortest debian description
    assertThat(check("Supports Redis 2.x, 3.x, 4.x, 5.x, and 6.x.")).isEmpty();
  }

  @Test
  void tooShortAndTooLong() {
    assertThat(check("tiny text")).contains(QualityFilter.TOO_SHORT);
    QualityFilter small = new QualityFilter(QualityConfig.DEFAULTS.withMaxChars(40));
    assertThat(small.check("This sentence is a little longer than forty characters.")).contains(QualityFilter.TOO_LONG);
    assertThat(small.check("This sentence is short enough.")).isEmpty();
  }

  @Test
  void tooFewWords() {
    assertThat(check("Supercalifragilistic expialidocious")).contains(QualityFilter.TOO_FEW_WORDS);
    assertThat(check("three words here")).isEmpty();
  }

  @Test
  void lowAlphaRatio() {
    assertThat(check("12 34 56 78 90 12 34 56 78 90 ab")).contains(QualityFilter.LOW_ALPHA_RATIO);
    assertThat(check("-- .. -- .. ,, ;; () () ok go now")).contains(QualityFilter.LOW_ALPHA_RATIO);
  }

  @Test
  void symbolRatio() {
    // Enough letters to pass the alpha rule, but a quarter of the visible chars are symbols.
    assertThat(check("#### Title here with several more words #### $$")).contains(QualityFilter.SYMBOL_RATIO);
    assertThat(check("\u2500\u2500\u2500\u2500 box drawing frames the text \u2500\u2500\u2500\u2500"))
        .contains(QualityFilter.SYMBOL_RATIO);
    assertThat(check("Use a/b and x+y in formulas, for example f(x) = 2x.")).isEmpty();
  }

  @Test
  void meanWordLength() {
    assertThat(check("a b c d e f g h i j k l m n o p")).contains(QualityFilter.MEAN_WORD_LENGTH);
    assertThat(check("aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQ blob MzIxIGZvbyBiYXIgYmF6IHF1dXg"))
        .contains(QualityFilter.MEAN_WORD_LENGTH);
  }

  @Test
  void meanWordLengthDoesNotApplyToScriptsWithoutSpaces() {
    // Chinese, Japanese, Thai: one "word" per character for counting, no mean length rule.
    assertThat(check("\u4ECA\u65E5\u306F\u3068\u3066\u3082\u3044\u3044\u5929\u6C17\u3067\u3059\u306D\u3002"
        + "\u660E\u65E5\u3082\u6674\u308C\u308B\u3067\u3057\u3087\u3046\u3002")).isEmpty();
    QualityStats stats = QualityFilter.measure("\u4ECA\u65E5\u306F\u6674\u308C");
    assertThat(stats.words()).isEqualTo(5);
    assertThat(stats.meanWordLength()).isNaN();
  }

  @Test
  void repeatedLines() {
    String spam = "Buy cheap stuff now\n".repeat(9) + "real line here\n  Buy cheap stuff now";
    assertThat(check(spam)).contains(QualityFilter.REPEATED_LINES);
    QualityStats stats = QualityFilter.measure(spam);
    assertThat(stats.repeatedLines()).isEqualTo(9); // indentation ignored
    assertThat(stats.repeatedLineFraction()).isEqualTo(9 * 19 / (10 * 19 + 14.0));
    // Weighted by length: many repeated short table cells do not make a page repetitive.
    String table = "Feature overview of the supported platforms\n" + "yes\nno\n".repeat(10)
        + "Every platform listed here is tested nightly by the build farm.";
    assertThat(check(table)).isEmpty();
    assertThat(check("first line of text\n\nsecond line of text\nthird line of text")).isEmpty();
  }

  @Test
  void firstFailingRuleInOrderIsTheReason() {
    // Both too short and too few words: length is checked first.
    assertThat(check("x")).contains(QualityFilter.TOO_SHORT);
    assertThat(QualityFilter.REASONS).containsExactly(QualityFilter.TOO_LONG, QualityFilter.TOO_SHORT,
        QualityFilter.TOO_FEW_WORDS, QualityFilter.LOW_ALPHA_RATIO, QualityFilter.SYMBOL_RATIO,
        QualityFilter.MEAN_WORD_LENGTH, QualityFilter.REPEATED_LINES);
  }

  @Test
  void noneConfigPassesEverything() {
    QualityFilter none = new QualityFilter(QualityConfig.NONE);
    assertThat(none.check("")).isEmpty();
    assertThat(none.check("#### $$$$ ####")).isEmpty();
  }

  @Test
  void measureCountsWordsLettersAndApostrophes() {
    QualityStats s = QualityFilter.measure("Don't stop: 42 ways\nto go!");
    assertThat(s.words()).isEqualTo(6); // don't, stop, 42, ways, to, go
    assertThat(s.letters()).isEqualTo(4 + 4 + 4 + 2 + 2);
    assertThat(s.lines()).isEqualTo(2);
    assertThat(s.nonSpace()).isEqualTo(21);
    assertThat(s.symbols()).isZero();
  }

  @Test
  void invalidConfigIsRefusedWithTheKeyAndTheAllowedRange() {
    assertThatThrownBy(() -> new QualityConfig(10, 5, 0, 0, 0, 1, 1, 1))
        .hasMessageContaining("maxChars = 5").hasMessageContaining("minChars = 10");
    assertThatThrownBy(() -> new QualityConfig(0, 10, 0, 1.5, 0, 1, 1, 1))
        .hasMessageContaining("minAlphaRatio = 1.5").hasMessageContaining("0.0 to 1.0");
    assertThatThrownBy(() -> new QualityConfig(0, 10, -1, 0, 0, 1, 1, 1)).hasMessageContaining("minWords = -1");
    assertThatThrownBy(() -> new QualityConfig(0, 10, 0, 0, 5, 4, 1, 1))
        .hasMessageContaining("maxMeanWordLength = 4.0");
  }
}
