package org.loradist.pipelines.chunk;

import java.util.List;

/**
 * One chunk of a document. {@code startChar}/{@code endChar} are 0-based, end-exclusive UTF-16 indices into the
 * document's text, and {@code docText.substring(startChar, endChar).equals(text)} always holds. {@code nTokens}
 * counts the chunk's content tokens (no special tokens). {@code headings} is the breadcrumb of the section the
 * chunk lies in: titles of the enclosing headings, outer to inner (empty before the first heading).
 */
public record Chunk(int ordinal, String text, int startChar, int endChar, int nTokens, List<String> headings) {
  public Chunk {
    headings = List.copyOf(headings);
  }
}
