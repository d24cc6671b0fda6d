package org.loradist.pipelines.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loradist.pipelines.chunk.MarkdownSections.Section;
import org.loradist.text.TextTokenizer;

class ChunkerTest {
  private static TextTokenizer tokenizer;
  private static Chunker chunker;
  private static Chunker small;
  private static BertWordPieceSpans spans;

  @BeforeAll
  static void load() {
    tokenizer = TextTokenizer.defaultModel();
    chunker = new Chunker(tokenizer, ChunkConfig.defaults());
    small = new Chunker(tokenizer, new ChunkConfig(48, 8));
    spans = BertWordPieceSpans.forTokenizer(tokenizer).orElseThrow();
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void defaultBudgetLeavesRoomForTheModelsSpecialTokens() {
    assertThat(Chunker.specialTokenCount(tokenizer)).isEqualTo(2);
    assertThat(chunker.contentBudget()).isEqualTo(254);
    assertThat(new Chunker(tokenizer, new ChunkConfig(256, 32, 16)).contentBudget()).isEqualTo(238);
    assertThatThrownBy(() -> new Chunker(tokenizer, new ChunkConfig(64, 40)))
        .hasMessageContaining("overlapTokens").hasMessageContaining("40");
    assertThatThrownBy(() -> new ChunkConfig(4, 0)).hasMessageContaining("maxTokens");
    assertThatThrownBy(() -> new ChunkConfig(256, -1)).hasMessageContaining("overlapTokens");
  }

  @Test
  void postgresManualPagesKeepEveryInvariant() throws Exception {
    Map<String, String> pages = Fixtures.pgSample();
    assertThat(pages.size()).isGreaterThan(40);
    int multiChunkSections = 0;
    for (Map.Entry<String, String> page : pages.entrySet()) {
      multiChunkSections += checkAll(page.getKey(), page.getValue(), chunker, true);
      checkAll(page.getKey() + " (small budget)", page.getValue(), small, true);
    }
    assertThat(multiChunkSections).as("sections long enough to need several chunks").isGreaterThan(20);
  }

  @Test
  void postgresBreadcrumbsFollowThePageHeadings() throws Exception {
    String select = Fixtures.pgSample().get("sql-select.html");
    List<Chunk> chunks = chunker.chunk(select);
    assertThat(chunks.get(0).headings()).containsExactly("SELECT");
    // the manual's reference pages use h2 for the page title and its top sections, h3 below them
    assertThat(chunks).anySatisfy(c -> assertThat(c.headings()).containsExactly("Description"));
    assertThat(chunks).anySatisfy(c -> assertThat(c.headings()).containsExactly("Parameters", "FROM Clause"));
    assertThat(chunks).anySatisfy(c -> assertThat(c.headings()).containsExactly("Compatibility", "LIMIT and OFFSET"));
    for (Chunk c : chunks) {
      int at = c.startChar();
      String before = select.substring(0, at);
      int lastHeading = Math.max(before.lastIndexOf("\n# "), Math.max(before.lastIndexOf("\n## "),
          before.lastIndexOf("\n### ")));
      if (c.text().startsWith("#")) {
        // headings of empty sections are folded into the next section: the last leading heading line names it
        String title = c.text().lines().filter(l -> !l.isBlank()).takeWhile(l -> l.startsWith("#"))
            .reduce((a, b) -> b).orElseThrow().replaceFirst("^#+ ", "");
        assertThat(c.headings()).as("chunk %d", c.ordinal()).last().isEqualTo(title);
      } else if (lastHeading >= 0) {
        String title = select.substring(lastHeading + 1).lines().findFirst().orElseThrow().replaceFirst("^#+ ", "");
        assertThat(c.headings()).as("chunk %d", c.ordinal()).last().isEqualTo(title);
      }
    }
  }

  @Test
  void debianDescriptionsKeepEveryInvariant() throws Exception {
    Map<String, String> descriptions = Fixtures.debianDescriptions(1500);
    int chunks = 0;
    for (Map.Entry<String, String> d : descriptions.entrySet()) {
      chunks += chunker.chunk(d.getValue()).size();
      checkAll(d.getKey(), d.getValue(), chunker, true);
      checkAll(d.getKey() + " (small budget)", d.getValue(), small, true);
    }
    assertThat(chunks).isGreaterThanOrEqualTo(descriptions.size() - 5);
  }

  @Test
  void adversarialTextsKeepEveryInvariant() {
    for (Map.Entry<String, String> t : Fixtures.adversarial().entrySet()) {
      checkAll(t.getKey(), t.getValue(), chunker, false);
      checkAll(t.getKey() + " (small budget)", t.getValue(), small, false);
    }
  }

  @Test
  void emptyAndBlankTextsGiveNoChunks() {
    assertThat(chunker.chunk("")).isEmpty();
    assertThat(chunker.chunk(null)).isEmpty();
    assertThat(chunker.chunk(" \n\r\n\t ")).isEmpty();
    assertThat(chunker.chunk("\u200b\u200d")).isEmpty(); // only characters the tokenizer ignores
  }

  @Test
  void smallDocumentIsOneTrimmedChunk() {
    String text = "\n\n  Hello world. A short document.  \n";
    List<Chunk> chunks = chunker.chunk(text);
    assertThat(chunks).hasSize(1);
    assertThat(chunks.get(0).text()).isEqualTo("Hello world. A short document.");
    assertThat(chunks.get(0).startChar()).isEqualTo(4);
    assertThat(chunks.get(0).nTokens()).isEqualTo(tokenizer.countContentTokens(chunks.get(0).text()));
    assertThat(chunks.get(0).headings()).isEmpty();
  }

  @Test
  void headingBreadcrumbsAndFoldedEmptySections() {
    List<Chunk> deep = chunker.chunk(Fixtures.adversarial().get("deep heading levels"));
    assertThat(deep).extracting(Chunk::headings).containsExactly(
        List.of("One"), List.of("One", "Two"), List.of("One", "Two", "Three"),
        List.of("One", "Two", "Three", "Four"), List.of("One", "Two", "Three", "Four", "Five"),
        List.of("One", "Two", "Three", "Four", "Five", "Six"), List.of("One", "Back to two"),
        List.of("Indented three is a heading")); // one '#': a level-1 heading, it closes "One"
    assertThat(deep.get(5).text()).contains("####### Seven is not a heading");
    assertThat(deep.get(6).text()).contains("#NoSpace is not a heading");
    assertThat(deep.get(7).text()).endsWith("    # indented four is not\nend");

    List<Chunk> empty = chunker.chunk("# A\n\n## B\n\n## C\nText under C.\n\n# D\n\n# E\n\nText under E.\n\n# F\n");
    assertThat(empty).extracting(Chunk::text).containsExactly(
        "# A\n\n## B\n\n## C\nText under C.", "# D\n\n# E\n\nText under E.", "# F");
    assertThat(empty).extracting(Chunk::headings).containsExactly(List.of("A", "C"), List.of("E"), List.of("F"));

    List<Chunk> onlyHeadings = chunker.chunk(Fixtures.adversarial().get("only headings"));
    assertThat(onlyHeadings.size()).isGreaterThan(1);
    assertThat(onlyHeadings).allSatisfy(c ->
        assertThat(c.headings()).containsExactly("Title", "Sub heading", "Deeper heading"));
  }

  @Test
  void headingLikeLinesInsideFencesAreText() {
    String text = Fixtures.adversarial().get("fence with hash lines");
    List<Chunk> chunks = chunker.chunk(text);
    assertThat(chunks).allSatisfy(c -> assertThat(String.join("/", c.headings())).doesNotContain("not a heading"));
    assertThat(chunks).extracting(Chunk::headings).contains(List.of("Real heading", "After fence"),
        List.of("Real heading", "After fence", "Deep"));
    assertThat(chunks.stream().filter(c -> c.headings().equals(List.of("Real heading"))).count())
        .as("the fenced block is long: several chunks under the first heading").isGreaterThan(1);
    List<Chunk> unclosed = chunker.chunk(Fixtures.adversarial().get("unclosed fence"));
    assertThat(unclosed).allSatisfy(c -> assertThat(c.headings()).containsExactly("Top"));
  }

  @Test
  void windowsLineEndingsWork() {
    List<Chunk> chunks = chunker.chunk(Fixtures.adversarial().get("windows line endings"));
    assertThat(chunks.get(0).headings()).containsExactly("Heading");
    assertThat(chunks.get(0).text()).isEqualTo("# Heading\r\n\r\nFirst paragraph line one.\r\nLine two.");
    assertThat(chunks.get(1).headings()).containsExactly("Heading", "Sub");
    assertThat(chunks).allSatisfy(c -> assertThat(c.text()).doesNotEndWith("\r").doesNotStartWith("\n"));
  }

  @Test
  void consecutiveChunksOverlapByAboutOverlapTokensAtWordStarts() {
    String text = Fixtures.adversarial().get("no punctuation");
    List<Chunk> chunks = chunker.chunk(text);
    assertThat(chunks.size()).isGreaterThan(5);
    for (int i = 1; i < chunks.size(); i++) {
      Chunk prev = chunks.get(i - 1);
      Chunk next = chunks.get(i);
      assertThat(next.startChar()).as("chunk %d overlaps the previous one", i).isLessThan(prev.endChar());
      String shared = text.substring(next.startChar(), prev.endChar());
      int sharedTokens = tokenizer.countContentTokens(shared);
      // every word of this text is one token, so the overlap is exactly the budget or one word less
      assertThat(sharedTokens).isBetween(ChunkConfig.DEFAULT_OVERLAP_TOKENS - 1, ChunkConfig.DEFAULT_OVERLAP_TOKENS);
      assertThat(Character.isWhitespace(text.charAt(next.startChar() - 1))).isTrue();
    }
  }

  @Test
  void overlapIsZeroWhenConfiguredAndChunksTileTheText() {
    Chunker noOverlap = new Chunker(tokenizer, new ChunkConfig(64, 0));
    String text = Fixtures.adversarial().get("no punctuation");
    List<Chunk> chunks = noOverlap.chunk(text);
    for (int i = 1; i < chunks.size(); i++) {
      assertThat(chunks.get(i).startChar()).isGreaterThan(chunks.get(i - 1).endChar());
      assertThat(text.substring(chunks.get(i - 1).endChar(), chunks.get(i).startChar())).isBlank();
    }
  }

  @Test
  void prefersParagraphThenSentenceBreaks() {
    StringBuilder doc = new StringBuilder();
    for (int p = 0; p < 12; p++) {
      for (int s = 0; s < 4; s++) {
        doc.append("Paragraph ").append(p).append(" sentence ").append(s)
            .append(" talks about write ahead logging and checkpoints in some detail. ");
      }
      doc.setLength(doc.length() - 1);
      doc.append("\n\n");
    }
    String text = doc.toString();
    List<Chunk> chunks = new Chunker(tokenizer, new ChunkConfig(128, 0)).chunk(text);
    assertThat(chunks.size()).isGreaterThan(3);
    for (Chunk c : chunks.subList(0, chunks.size() - 1)) {
      assertThat(text.substring(c.endChar())).as("chunk %d ends at a paragraph break", c.ordinal()).startsWith("\n\n");
    }
    List<Chunk> sentenceCut = new Chunker(tokenizer, new ChunkConfig(40, 0)).chunk(text);
    for (Chunk c : sentenceCut.subList(0, sentenceCut.size() - 1)) {
      assertThat(c.text()).as("chunk %d ends at a sentence end", c.ordinal()).endsWith(".");
    }
  }

  @Test
  void longWordIsCutOnlyBetweenItsTokens() {
    String text = Fixtures.adversarial().get("5000-char punctuated word");
    List<Chunk> chunks = chunker.chunk(text);
    assertThat(chunks.size()).isGreaterThan(10);
    assertThat(chunks.get(0).text()).isEqualTo("Start"); // the word boundary before the long word is used
    assertThat(chunks.get(chunks.size() - 1).text()).endsWith(" end of it.");
    List<Chunk> unk = chunker.chunk(Fixtures.adversarial().get("5000-char word"));
    assertThat(unk).hasSize(1); // 5,000 letters without a break are a single [UNK] token for WordPiece
    assertThat(unk.get(0).nTokens()).isLessThan(20);
  }

  @Test
  void outputIsDeterministic() throws Exception {
    Chunker other = new Chunker(tokenizer, ChunkConfig.defaults());
    for (String text : Fixtures.all(Fixtures.adversarial())) {
      assertThat(other.chunk(text)).isEqualTo(chunker.chunk(text));
    }
    String page = Fixtures.pgSample().get("sql-select.html");
    assertThat(other.chunk(page)).isEqualTo(chunker.chunk(page));
  }

  @Test
  void huggingFaceSpansGiveTheSameChunks() throws Exception {
    Chunker hf = new Chunker(tokenizer, ChunkConfig.defaults(), false);
    for (String text : Fixtures.all(Fixtures.adversarial())) {
      assertThat(hf.chunk(text)).isEqualTo(chunker.chunk(text));
    }
    String page = Fixtures.pgSample().get("sql-select.html");
    assertThat(hf.chunk(page)).isEqualTo(chunker.chunk(page));
  }

  /**
   * Checks every chunk of the text: substring invariant, budget, exact token count, trimmed, ordered, word-aligned
   * edges (except inside a word longer than half the budget), overlap within bounds, every token covered, and (for
   * real texts) no small chunk inside a long section. Returns how many sections needed several chunks.
   */
  private static int checkAll(String name, String text, Chunker chunker, boolean realText) {
    List<Chunk> chunks = chunker.chunk(text);
    int budget = chunker.contentBudget();
    int overlap = chunker.config().overlapTokens();
    List<Section> sections = MarkdownSections.split(text);
    TokenSpans tokens = spans.spans(text);
    boolean[] covered = new boolean[tokens.length()];
    int multiChunk = 0;
    int nextToken = 0;
    List<Chunk> previousInSection = new ArrayList<>();
    Section currentSection = null;
    for (int i = 0; i < chunks.size(); i++) {
      Chunk c = chunks.get(i);
      String at = name + " chunk " + i;
      assertThat(c.ordinal()).as(at).isEqualTo(i);
      assertThat(text.substring(c.startChar(), c.endChar())).as(at).isEqualTo(c.text());
      assertThat(c.nTokens()).as(at).isBetween(1, budget);
      assertThat(tokenizer.countContentTokens(c.text())).as(at + " exact count").isEqualTo(c.nTokens());
      assertThat(c.text()).as(at).isEqualTo(c.text().strip());
      Section section = sectionOf(sections, c);
      assertThat(c.headings()).as(at).isEqualTo(section.headings());
      if (section != currentSection) {
        if (previousInSection.size() > 1) {
          multiChunk++;
        }
        previousInSection.clear();
        currentSection = section;
      }
      if (!previousInSection.isEmpty()) {
        Chunk prev = previousInSection.get(previousInSection.size() - 1);
        assertThat(c.startChar()).as(at + " starts after the previous chunk's start").isGreaterThan(prev.startChar());
        assertThat(c.endChar()).as(at).isGreaterThan(prev.endChar());
        if (c.startChar() < prev.endChar()) {
          int shared = tokenizer.countContentTokens(text.substring(c.startChar(), prev.endChar()));
          assertThat(shared).as(at + " overlap").isBetween(1, overlap);
        }
        assertWordAligned(text, c.startChar(), budget, at + " start");
        assertWordAligned(text, prev.endChar(), budget, at + " previous end");
        if (realText && prev.nTokens() < budget / 2) {
          // a chunk cut short only because the words after it would not fit: the next word is long
          int from = prev.endChar();
          while (from < text.length() && Boundaries.isSpace(text.charAt(from))) {
            from++;
          }
          int to = from;
          while (to < text.length() && !Boundaries.isSpace(text.charAt(to))) {
            to++;
          }
          assertThat(tokenizer.countContentTokens(text.substring(from, to)))
              .as(at + ": previous chunk is small (" + prev.nTokens() + " tokens) though the next word is short: '"
                  + text.substring(from, to) + "'").isGreaterThanOrEqualTo(budget - prev.nTokens());
        }
      }
      previousInSection.add(c);
      // chunks are in text order: sweep the tokens once
      while (nextToken < tokens.length() && tokens.ends()[nextToken] <= c.endChar()) {
        if (tokens.starts()[nextToken] >= c.startChar()) {
          covered[nextToken] = true;
        }
        nextToken++;
      }
      nextToken = firstTokenAtOrAfter(tokens, c.startChar(), nextToken);
    }
    if (previousInSection.size() > 1) {
      multiChunk++;
    }
    for (int t = 0; t < covered.length; t++) {
      assertThat(covered[t]).as(name + " token " + t + " '" + text.substring(tokens.starts()[t], tokens.ends()[t])
          + "' lies in some chunk").isTrue();
    }
    return multiChunk;
  }

  /** Steps back to the first token that the next chunk (starting at or after {@code start}) may cover. */
  private static int firstTokenAtOrAfter(TokenSpans tokens, int start, int hint) {
    int t = hint;
    while (t > 0 && tokens.starts()[t - 1] >= start) {
      t--;
    }
    return t;
  }

  private static Section sectionOf(List<Section> sections, Chunk c) {
    for (Section s : sections) {
      if (c.startChar() >= s.start() && c.endChar() <= s.end()) {
        return s;
      }
    }
    throw new AssertionError("chunk " + c.ordinal() + " lies in no single section");
  }

  /** A chunk edge sits at whitespace or next to a CJK character, or inside a word longer than half the budget. */
  private static void assertWordAligned(String text, int pos, int budget, String at) {
    if (pos == 0 || pos == text.length()) {
      return;
    }
    char before = text.charAt(pos - 1);
    char after = text.charAt(pos);
    if (Boundaries.isSpace(before) || Boundaries.isSpace(after)
        || Character.isIdeographic(text.codePointBefore(pos)) || Character.isIdeographic(text.codePointAt(pos))
        || before == '。' || after == '。') {
      return;
    }
    int from = pos;
    while (from > 0 && !Boundaries.isSpace(text.charAt(from - 1))) {
      from--;
    }
    int to = pos;
    while (to < text.length() && !Boundaries.isSpace(text.charAt(to))) {
      to++;
    }
    assertThat(tokenizer.countContentTokens(text.substring(from, to)))
        .as(at + " is inside the word '" + text.substring(from, Math.min(to, from + 60)) + "...'")
        .isGreaterThan(budget / 2);
  }
}
