package org.loradist.pipelines.chunk;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * Test fixture source: pages of the PostgreSQL manual from ../../shared/data, rendered to the Markdown-like text the
 * readers produce (headings as '#' lines, blank lines between blocks, code in ``` fences). A deliberately small
 * renderer for tests only; the real html reader lives elsewhere.
 */
final class PgManual {
  static final Path ARCHIVE = Path.of("../../shared/data/postgresql-docs/postgresql-15-html.tar.gz");

  private PgManual() {}

  /** Rendered pages (name -> text) of the archive's .html entries whose file name passes the filter. */
  static Map<String, String> pages(Predicate<String> wanted) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(ARCHIVE), 1 << 16))) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512) {
        String name = cString(header, 0, 100);
        if (name.isEmpty()) {
          break;
        }
        long size = Long.parseLong(cString(header, 124, 12).trim(), 8);
        byte[] body = in.readNBytes((int) size);
        in.skipNBytes((512 - size % 512) % 512);
        String file = name.substring(name.lastIndexOf('/') + 1);
        if (header[156] != '5' && file.endsWith(".html") && wanted.test(file)) {
          out.put(file, render(new String(body, StandardCharsets.UTF_8)));
        }
      }
    }
    return out;
  }

  private static String cString(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.US_ASCII);
  }

  private static final Set<String> INLINE_BLOCKS = Set.of("p", "dt", "caption", "td", "th");

  static String render(String html) {
    Element body = Jsoup.parse(html).body();
    body.select("div.navheader, div.navfooter, script, style").remove();
    List<String> blocks = new ArrayList<>();
    walk(body, blocks);
    return String.join("\n\n", blocks);
  }

  private static void walk(Element e, List<String> blocks) {
    for (Node child : e.childNodes()) {
      if (child instanceof TextNode t) {
        String s = collapse(t.text());
        if (!s.isEmpty()) {
          blocks.add(s);
        }
        continue;
      }
      if (!(child instanceof Element c)) {
        continue;
      }
      String tag = c.tagName();
      if (tag.matches("h[1-6]")) {
        String title = collapse(c.text());
        if (!title.isEmpty()) {
          blocks.add("#".repeat(tag.charAt(1) - '0') + " " + title);
        }
      } else if (tag.equals("pre")) {
        blocks.add("```\n" + c.wholeText().stripTrailing() + "\n```");
      } else if (tag.equals("tr")) {
        List<String> cells = new ArrayList<>();
        for (Element cell : c.children()) {
          cells.add(collapse(cell.text()));
        }
        blocks.add(String.join(" | ", cells));
      } else if (INLINE_BLOCKS.contains(tag) && c.select("pre, table, div, ul, ol, dl").isEmpty()) {
        String s = collapse(c.text());
        if (!s.isEmpty()) {
          blocks.add(s);
        }
      } else {
        walk(c, blocks);
      }
    }
  }

  private static String collapse(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }
}
