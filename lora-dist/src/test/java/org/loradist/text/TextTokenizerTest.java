package org.loradist.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TextTokenizerTest {
  @Test
  void offsetsLocateTokensInTheTextEvenWithSurrogatePairs() {
    try (TextTokenizer tok = TextTokenizer.defaultModel(16)) {
      String text = "Hello 😀 wörld, tokenizers split words.";
      TokenizedText content = tok.encodeContent(text);
      assertThat(content.length()).isGreaterThan(5);
      for (int i = 0; i < content.length(); i++) {
        String piece = text.substring(content.starts()[i], content.ends()[i]).toLowerCase();
        assertThat(piece).isNotEmpty();
      }
      // "words" comes last before "."; its span must read back exactly
      int last = content.length() - 2;
      assertThat(text.substring(content.starts()[last], content.ends()[last])).isEqualTo("words");

      TokenizedText model = tok.encode(text + " and more and more and more words to truncate");
      assertThat(model.length()).isEqualTo(16);
      assertThat(model.truncated()).isTrue();
      assertThat(model.special()[0]).isTrue();
      assertThat(model.ids()[0]).isEqualTo(tok.tokenId("[CLS]"));
    }
  }

  @Test
  void missingFileIsNamed() {
    assertThatThrownBy(() -> TextTokenizer.fromFile(Path.of("/nope/tokenizer.json"), 128))
        .isInstanceOf(IOException.class).hasMessageContaining("/nope/tokenizer.json");
  }
}
