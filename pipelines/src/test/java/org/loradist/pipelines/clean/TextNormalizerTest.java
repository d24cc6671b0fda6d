package org.loradist.pipelines.clean;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextNormalizerTest {
  private final TextNormalizer normalizer = new TextNormalizer();

  private String norm(String s) {
    return normalizer.normalize(s);
  }

  @Test
  void nfkcFoldsLigaturesFullWidthAndCompatibilityCharacters() {
    assertThat(norm("\uFB01nd the \uFB00ort")).isEqualTo("find the ffort"); // fi, ff ligatures
    assertThat(norm("\uFF21\uFF22\uFF23 \uFF11\uFF12\uFF13")).isEqualTo("ABC 123"); // full-width
    assertThat(norm("x\u00B2 + \u2460 \u2122")).isEqualTo("x2 + 1 TM"); // superscript, circled, trademark
    assertThat(norm("wait\u2026")).isEqualTo("wait..."); // horizontal ellipsis
    assertThat(norm("\uFF76\uFF9E")).isEqualTo("\u30AC"); // half-width katakana KA + voiced mark -> GA
    assertThat(norm("cafe\u0301")).isEqualTo("caf\u00E9"); // decomposed -> composed
    assertThat(norm("\u212Bngstr\u00F6m")).isEqualTo("\u00C5ngstr\u00F6m"); // angstrom sign -> A with ring
  }

  @Test
  void compatibilitySpacesBecomeOrdinarySpaces() {
    assertThat(norm("a\u00A0b\u2003c\u3000d\u202Fe")).isEqualTo("a b c d e");
    assertThat(norm("a\u00A0\u00A0 \u2009b")).isEqualTo("a b");
    assertThat(norm("a\u1680b")).isEqualTo("a b"); // ogham space: Zs but no NFKC mapping
  }

  @Test
  void controlAndFormatCharactersAreRemovedButNotTabsNewlinesOrJoiners() {
    assertThat(norm("a\u0000b\u0007c\u001Bd\u007Fe\u0080f\u009Fg")).isEqualTo("abcdefg");
    assertThat(norm("zero\u200Bwidth soft\u00ADhyphen \uFEFFbom \u200Eltr\u202Eoverride"))
        .isEqualTo("zerowidth softhyphen bom ltroverride");
    // ZWNJ spells Persian words; ZWJ builds emoji sequences: both stay.
    assertThat(norm("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645")).contains("\u200C");
    assertThat(norm("\uD83D\uDC69\u200D\uD83D\uDCBB")).isEqualTo("\uD83D\uDC69\u200D\uD83D\uDCBB");
    assertThat(norm("\tindented\n\tline")).isEqualTo("indented\n\tline");
  }

  @Test
  void removedCharsDoNotBlockComposition() {
    // The ZWSP sits between the base letter and its accent: after removal they compose, and stay stable.
    String once = norm("e\u200B\u0301");
    assertThat(once).isEqualTo("\u00E9");
    assertThat(norm(once)).isEqualTo(once);
  }

  @Test
  void unpairedSurrogatesAreRemovedPairsKept() {
    assertThat(norm("a\uD800b\uDC00c")).isEqualTo("abc");
    assertThat(norm("emoji \uD83D\uDE00 ok")).isEqualTo("emoji \uD83D\uDE00 ok");
  }

  @Test
  void lineEndingsBecomeLf() {
    assertThat(norm("a\r\nb\rc\nd")).isEqualTo("a\nb\nc\nd");
    assertThat(norm("a\u2028b\u0085c\u000Bd")).isEqualTo("a\nb\nc\nd");
    assertThat(norm("a\u2029b")).isEqualTo("a\n\nb"); // paragraph separator: a paragraph break
    assertThat(norm("page one\fpage two")).isEqualTo("page one\n\npage two");
    assertThat(norm("a\r\n\r\nb")).isEqualTo("a\n\nb");
  }

  @Test
  void spacesCollapseInsideLinesTrailingSpacesGoIndentationStays() {
    assertThat(norm("one   two\t\tthree \t four   ")).isEqualTo("one two three four");
    assertThat(norm("Intro:\n  * item  one\n      continued\n\tverbatim  code"))
        .isEqualTo("Intro:\n  * item one\n      continued\n\tverbatim code");
  }

  @Test
  void paragraphBoundariesSurviveAndThreeOrMoreNewlinesBecomeTwo() {
    assertThat(norm("para one\n\npara two")).isEqualTo("para one\n\npara two");
    assertThat(norm("para one\n\n\n\n\npara two")).isEqualTo("para one\n\npara two");
    // Whitespace-only lines are blank lines: they make a paragraph break, never a third newline.
    assertThat(norm("para one\n   \n \t \n\npara two")).isEqualTo("para one\n\npara two");
    assertThat(norm("line one\nline two")).isEqualTo("line one\nline two");
  }

  @Test
  void markdownHeadingLinesStayOnTheirOwnLines() {
    String md = "# Title\nIntro text.\n\n\n## Part  two\n\ntext   here\n### Sub\nmore";
    assertThat(norm(md)).isEqualTo("# Title\nIntro text.\n\n## Part two\n\ntext here\n### Sub\nmore");
  }

  @Test
  void fencedCodeIsKeptVerbatimButTrailingSpaceAndControlCharsGo() {
    String md = "Example:\n\n```python\ndef f(x):\n    return  x   *  2   \n\u0007\n```\nafter   fence";
    assertThat(norm(md)).isEqualTo("Example:\n\n```python\ndef f(x):\n    return  x   *  2\n\n```\nafter fence");
    assertThat(norm("~~~\na    b\n~~~\nc    d")).isEqualTo("~~~\na    b\n~~~\nc d");
  }

  @Test
  void textIsTrimmed() {
    assertThat(norm("\n\n   \t hello world \n\n ")).isEqualTo("hello world");
    assertThat(norm(" \n\u00A0\u200B\n")).isEmpty();
    assertThat(norm("")).isEmpty();
    assertThat(norm(null)).isEmpty();
  }

  @Test
  void cleanTextIsReturnedAsTheSameInstance() {
    String clean = "Already clean.\n\n  * indented item\nDone.";
    assertThat(norm(clean)).isSameAs(clean);
  }

  /** Random strings over the characters that matter: the fast "already laid out" check never lies. */
  @Test
  void fastPathAgreesWithFullLayoutOnRandomText() {
    char[] alphabet = {'a', 'b', ' ', ' ', '\t', '\n', '\n', '\r', '`', '~', '#', '\u00A0', '\u200B', '\u0000',
        '\u2028', '\u2029', '\u1680', '\u00E9', '\uFB01', '\u200D', '\uD83D', '\uDE00'};
    Random random = new Random(42);
    for (int round = 0; round < 20_000; round++) {
      StringBuilder sb = new StringBuilder();
      int len = random.nextInt(40);
      for (int i = 0; i < len; i++) {
        sb.append(alphabet[random.nextInt(alphabet.length)]);
      }
      String s = sb.toString();
      String once = norm(s);
      assertThat(norm(once)).as("idempotent on %s", List.of(s)).isEqualTo(once);
      if (TextNormalizer.isLaidOut(s, false)) {
        assertThat(TextNormalizer.layout(s)).as("fast path on %s", List.of(s)).isEqualTo(s);
      }
      if (TextNormalizer.isLaidOut(s, true)) {
        assertThat(once).as("fast path on %s", List.of(s)).isEqualTo(s);
      }
    }
  }

  @Test
  void idempotentOnRealDescriptionsAndParagraphCountKept() {
    for (DebianData.Package p : DebianData.load("dev", 2_000)) {
      String once = norm(p.description());
      assertThat(norm(once)).as(p.name()).isEqualTo(once);
      // The descriptions' paragraph structure (blank-line separated) is preserved.
      long before = p.description().strip().split("\n[ \t]*\n\\s*").length;
      long after = once.split("\n\n").length;
      assertThat(after).as(p.name()).isEqualTo(before);
    }
  }
}
