package org.loradist.pipelines.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loradist.text.TextTokenizer;
import org.loradist.text.TokenizedText;

/** The plain-Java spans must be the Hugging Face tokenizer's spans, token for token. */
class BertWordPieceSpansTest {
  private static TextTokenizer tokenizer;
  private static BertWordPieceSpans spans;

  @BeforeAll
  static void load() {
    tokenizer = TextTokenizer.defaultModel();
    spans = BertWordPieceSpans.forTokenizer(tokenizer).orElseThrow();
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void sameSpansAsHuggingFaceOnPostgresManualPages() throws Exception {
    assertSameSpans(Fixtures.pgSample());
  }

  @Test
  void sameSpansAsHuggingFaceOnDebianDescriptions() throws Exception {
    assertSameSpans(Fixtures.debianDescriptions(1500));
  }

  @Test
  void sameSpansAsHuggingFaceOnAdversarialTexts() {
    Map<String, String> texts = new LinkedHashMap<>(Fixtures.adversarial());
    texts.put("greek and cyrillic", "Ελληνικά κείμενα και Русский текст с ударе́нием, ΣΊΣΥΦΟΣ.");
    texts.put("hangul", "한국어 텍스트는 띄어쓰기가 있습니다 — 조합형 자모도.");
    texts.put("arabic and hebrew", "العربية نص مع تشكيل: كَتَبَ. עברית עם ניקוד: שָׁלוֹם.");
    texts.put("mixed scripts glued", "abc中def日本ghi한국jkl😀mno");
    texts.put("private use and unassigned", "a\uE000b c\uFFFEd e\uFFFDf");
    texts.put("special tokens glued", "x[SEP]y[CLS][CLS]z [PAD] [ MASK] [mask]");
    assertSameSpans(texts);
  }

  private static void assertSameSpans(Map<String, String> texts) {
    assertThat(texts).isNotEmpty();
    for (Map.Entry<String, String> e : texts.entrySet()) {
      String text = e.getValue();
      TokenizedText expected = tokenizer.encodeContent(text);
      TokenSpans actual = spans.spans(text);
      int n = Math.min(expected.length(), actual.length());
      for (int i = 0; i < n; i++) {
        if (expected.starts()[i] != actual.starts()[i] || expected.ends()[i] != actual.ends()[i]) {
          int from = Math.max(0, expected.starts()[i] - 40);
          int to = Math.min(text.length(), expected.ends()[i] + 40);
          throw new AssertionError(e.getKey() + ": token " + i + " differs: expected [" + expected.starts()[i] + ","
              + expected.ends()[i] + ") got [" + actual.starts()[i] + "," + actual.ends()[i] + ") near '"
              + text.substring(from, to) + "'");
        }
      }
      assertThat(actual.length()).as("token count of %s", e.getKey()).isEqualTo(expected.length());
    }
  }
}
