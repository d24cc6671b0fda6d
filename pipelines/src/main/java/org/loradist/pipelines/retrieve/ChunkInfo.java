package org.loradist.pipelines.retrieve;

import java.util.List;

/** What a search result shows of its chunk (from the {@code chunks} contract): offsets are into the doc's text. */
public record ChunkInfo(String docId, String text, List<String> headings, int startChar, int endChar) {}
