package org.loradist.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.loradist.pipelines.ingest.HtmlExtractor;

/**
 * Distinct windows of a fixed number of words, taken at a fixed stride over real texts, until a limit: how a
 * million real embeddings can come from the few million words of text this project has (a chunked corpus with
 * overlap looks the same to an index: neighbouring windows share most of their words). The last window of a text
 * ends at its last word; a text shorter than one window is one window.
 */
final class TextWindows {
  private final int words;
  private final int stride;
  private final int limit;
  private final Set<String> seen = new HashSet<>();
  private final List<String> windows = new ArrayList<>();

  TextWindows(int words, int stride, int limit) {
    if (words < 1 || stride < 1 || stride > words) {
      throw new IllegalArgumentException("windows need 1 <= stride <= words, got words " + words + " stride "
          + stride);
    }
    this.words = words;
    this.stride = stride;
    this.limit = limit;
  }

  boolean full() {
    return windows.size() >= limit;
  }

  List<String> windows() {
    return windows;
  }

  /** Adds the windows of one text that are not already held, while fewer than the limit are held. */
  void add(String text) {
    String stripped = text.strip();
    if (stripped.isEmpty()) {
      return;
    }
    List<String> w = Arrays.asList(stripped.split("\\s+"));
    for (int start = 0; !full(); start += stride) {
      int end = Math.min(w.size(), start + words);
      String window = String.join(" ", w.subList(start, end));
      if (seen.add(window)) {
        windows.add(window);
      }
      if (end == w.size()) {
        return;
      }
    }
  }

  /** Adds the windows of every HTML page's text (title and body, as prep extracts them) in a .tar.gz, in tar order. */
  void addHtmlPages(Path tarGz) throws IOException {
    try (InputStream file = Files.newInputStream(tarGz);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(file))) {
      for (TarArchiveEntry e = tar.getNextTarEntry(); e != null && !full(); e = tar.getNextTarEntry()) {
        if (e.isFile() && e.getName().endsWith(".html")) {
          HtmlExtractor.Extraction page = HtmlExtractor.extract(new String(tar.readAllBytes(), StandardCharsets.UTF_8));
          add(page.title() + "\n" + page.text());
        }
      }
    }
  }
}
