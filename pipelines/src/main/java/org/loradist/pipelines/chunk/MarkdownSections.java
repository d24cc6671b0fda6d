package org.loradist.pipelines.chunk;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a document's cleaned text into sections at Markdown ATX headings ({@code #}..{@code ######}, up to three
 * spaces of indent, then a space or tab, then a non-empty title), ignoring lines inside fenced code blocks
 * ({@code ```} or {@code ~~~}, closed by a fence of the same character at least as long; an unclosed fence runs to
 * the end, as in CommonMark). Both the md and the html readers produce this form.
 *
 * <p>A section runs from its heading line (included) to the next heading line; text before the first heading is a
 * section with an empty breadcrumb. A section whose body is blank (a heading directly followed by another heading)
 * is folded into the next section: its heading line becomes the start of that section's span, and the breadcrumb
 * is the next section's. Why: a lone heading has nothing to retrieve on its own, and folding keeps every heading
 * line inside some chunk. Trailing blank-body sections (nothing follows) stay as they are. Blank sections without a
 * heading (whitespace only) are dropped.
 *
 * <p>Line ends: {@code \n}, {@code \r\n} and a lone {@code \r}.
 */
public final class MarkdownSections {
  private MarkdownSections() {}

  /** A span [start, end) of the text (UTF-16 indices) and the titles of its enclosing headings, outer to inner. */
  public record Section(int start, int end, List<String> headings) {
    public Section {
      headings = List.copyOf(headings);
    }
  }

  public static List<Section> split(String text) {
    List<RawSection> raw = new ArrayList<>();
    // titles[level-1] is the open heading of that level; null when none is open
    String[] titles = new String[6];
    RawSection current = new RawSection(0, 0, List.of(), false);

    char fenceChar = 0;
    int fenceLength = 0;
    int n = text.length();
    int lineStart = 0;
    while (lineStart < n) {
      int lineEnd = lineStart; // end of the line's content, before its terminator
      while (lineEnd < n && text.charAt(lineEnd) != '\n' && text.charAt(lineEnd) != '\r') {
        lineEnd++;
      }
      int next = lineEnd;
      if (next < n) {
        next += (text.charAt(next) == '\r' && next + 1 < n && text.charAt(next + 1) == '\n') ? 2 : 1;
      }

      int indent = 0;
      while (indent < 4 && lineStart + indent < lineEnd && text.charAt(lineStart + indent) == ' ') {
        indent++;
      }
      int p = lineStart + indent;
      if (indent <= 3 && p < lineEnd) {
        char c = text.charAt(p);
        int run = runLength(text, p, lineEnd, c);
        if (fenceChar != 0) {
          if (c == fenceChar && run >= fenceLength && isBlank(text, p + run, lineEnd)) {
            fenceChar = 0;
          }
        } else if ((c == '`' || c == '~') && run >= 3 && !(c == '`' && contains(text, p + run, lineEnd, '`'))) {
          // a backtick fence's info string may not contain backticks (CommonMark): that line is inline code
          fenceChar = c;
          fenceLength = run;
        } else if (c == '#') {
          String title = headingTitle(text, p, lineEnd, run);
          if (title != null) {
            if (lineStart > current.start() || current.hasHeading()) {
              raw.add(current.endingAt(lineStart));
            }
            titles[run - 1] = title;
            for (int l = run; l < 6; l++) {
              titles[l] = null;
            }
            List<String> breadcrumb = new ArrayList<>(6);
            for (String t : titles) {
              if (t != null) {
                breadcrumb.add(t);
              }
            }
            current = new RawSection(lineStart, next, breadcrumb, true);
          }
        }
      }
      lineStart = next;
    }
    raw.add(current.endingAt(n));
    return fold(text, raw);
  }

  /** A section while scanning: where its body begins (after the heading line) matters for folding. */
  private record RawSection(int start, int bodyStart, List<String> headings, boolean hasHeading, int end) {
    RawSection(int start, int bodyStart, List<String> headings, boolean hasHeading) {
      this(start, bodyStart, headings, hasHeading, -1);
    }

    RawSection endingAt(int end) {
      return new RawSection(start, bodyStart, headings, hasHeading, end);
    }
  }

  private static List<Section> fold(String text, List<RawSection> raw) {
    List<Section> out = new ArrayList<>(raw.size());
    int carriedStart = -1; // start of blank-body heading sections waiting to be folded forward
    for (int i = 0; i < raw.size(); i++) {
      RawSection s = raw.get(i);
      boolean blankBody = isBlank(text, Math.min(s.bodyStart(), s.end()), s.end());
      if (!s.hasHeading() && blankBody) {
        continue; // whitespace-only preamble
      }
      if (s.hasHeading() && blankBody && i + 1 < raw.size()) {
        if (carriedStart < 0) {
          carriedStart = s.start();
        }
        continue;
      }
      out.add(new Section(carriedStart >= 0 ? carriedStart : s.start(), s.end(), s.headings()));
      carriedStart = -1;
    }
    return out;
  }

  /** The title of an ATX heading whose '#' run starts at p, or null when the line is not a heading. */
  private static String headingTitle(String text, int p, int lineEnd, int hashes) {
    int q = p + hashes;
    if (hashes > 6 || q >= lineEnd || (text.charAt(q) != ' ' && text.charAt(q) != '\t')) {
      return null;
    }
    int end = lineEnd;
    while (end > q && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    // an optional closing run of '#' preceded by a space is not part of the title
    int closing = end;
    while (closing > q && text.charAt(closing - 1) == '#') {
      closing--;
    }
    if (closing < end && (closing == q || text.charAt(closing - 1) == ' ' || text.charAt(closing - 1) == '\t')) {
      end = closing;
    }
    String title = text.substring(q, end).strip();
    return title.isEmpty() ? null : title;
  }

  private static int runLength(String text, int p, int end, char c) {
    int q = p;
    while (q < end && text.charAt(q) == c) {
      q++;
    }
    return q - p;
  }

  private static boolean contains(String text, int from, int to, char c) {
    for (int i = from; i < to; i++) {
      if (text.charAt(i) == c) {
        return true;
      }
    }
    return false;
  }

  static boolean isBlank(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!Boundaries.isSpace(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
