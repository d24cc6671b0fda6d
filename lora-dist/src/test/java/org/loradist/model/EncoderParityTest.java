package org.loradist.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loradist.text.TextTokenizer;
import org.loradist.text.TokenizedText;
import org.loradist.weights.ModelCache;

/** Our encoder (weights read from the ONNX file) against ONNX Runtime running that file, on the same token ids. */
class EncoderParityTest {
  private static List<String> texts;
  private static List<TokenizedText> tokens;
  private static float[][] reference;

  @BeforeAll
  static void runReference() throws Exception {
    texts = ParityTexts.load();
    tokens = new ArrayList<>();
    try (TextTokenizer tok = TextTokenizer.defaultModel(); OrtReference ort = new OrtReference()) {
      assertThat(ort.firstOutputName()).isEqualTo("last_hidden_state");
      reference = new float[texts.size()][];
      for (int i = 0; i < texts.size(); i++) {
        tokens.add(tok.encode(texts.get(i)));
        reference[i] = ort.embed(tokens.get(i));
      }
    }
  }

  @AfterAll
  static void clear() {
    texts = null;
    tokens = null;
    reference = null;
  }

  @Test
  void fixtureCoversTheCasesThatMatter() {
    assertThat(texts).hasSizeGreaterThanOrEqualTo(50);
    assertThat(tokens.stream().filter(TokenizedText::truncated).count()).isGreaterThanOrEqualTo(3);
    assertThat(tokens.stream().mapToInt(TokenizedText::length).max().getAsInt()).isEqualTo(256);
    assertThat(tokens.stream().filter(t -> t.length() <= 3).count()).isGreaterThanOrEqualTo(4);
    assertThat(texts.stream().filter(t -> t.chars().anyMatch(c -> c > 127)).count()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void fp32MatchesOnnxRuntimeWithin1e4() throws Exception {
    // small token budget: many batches of mixed padding, so masking is exercised against ORT's unpadded runs
    TextEmbedder.Options opts = TextEmbedder.Options.defaults().withBatchTokens(1024).withMaxBatchSize(8);
    try (TextEmbedder embedder = new TextEmbedder(ModelCache.get("default").newEncoder(),
        TextTokenizer.defaultModel(), opts)) {
      float[][] ours = embedder.embedTokenized(tokens);
      double worst = 0;
      int worstText = -1;
      for (int i = 0; i < ours.length; i++) {
        assertThat(ours[i]).hasSize(384);
        for (int d = 0; d < 384; d++) {
          double diff = Math.abs(ours[i][d] - reference[i][d]);
          if (diff > worst) {
            worst = diff;
            worstText = i;
          }
        }
      }
      System.out.printf("parity fp32: max abs diff %.3g (text %d of %d)%n", worst, worstText, ours.length);
      assertThat(worst).as("max abs diff to ONNX Runtime (text %d)", worstText).isLessThanOrEqualTo(1e-4);
    }
  }

  @Test
  void embedFromStringsEqualsEmbedFromTokens() throws Exception {
    try (TextEmbedder embedder = TextEmbedder.forModel("default", TextEmbedder.Options.defaults())) {
      float[][] viaText = embedder.embed(texts.subList(0, 10));
      float[][] viaTokens = embedder.embedTokenized(tokens.subList(0, 10));
      for (int i = 0; i < 10; i++) {
        assertThat(viaText[i]).containsExactly(viaTokens[i]);
      }
    }
  }
}
