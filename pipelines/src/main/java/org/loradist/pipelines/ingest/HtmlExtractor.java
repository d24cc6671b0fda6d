package org.loradist.pipelines.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * HTML to Markdown-like plain text, because the chunker downstream splits on Markdown structure: headings become
 * {@code #}..{@code ######} lines, paragraphs are separated by blank lines, list items are {@code - item} (or
 * {@code 1. item}), {@code pre} blocks are fenced with {@code ```} and kept verbatim, table rows are
 * {@code | a | b |} lines. Scripts, styles, navigation, headers, footers, forms and page chrome (elements whose
 * class, id or role says navigation, breadcrumb, menu, sidebar, table of contents, ...) are removed: a table of
 * contents only repeats other pages' titles, and as a chunk it would match queries without answering them.
 * Entities come out decoded.
 */
public final class HtmlExtractor {
  private HtmlExtractor() {}

  /** The page's title ({@code <title>}, else the first {@code <h1>}; null if neither) and its text. */
  public record Extraction(String title, String text) {}

  private static final Set<String> DROPPED_TAGS = Set.of(
      "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button", "select",
      "input", "textarea", "option", "iframe", "frame", "frameset", "object", "embed", "svg", "canvas", "audio",
      "video", "map", "head", "title", "meta", "link", "img", "picture", "source", "track", "dialog");

  private static final Set<String> BLOCK_TAGS = Set.of(
      "html", "body", "main", "article", "section", "div", "p", "blockquote", "address", "center", "figure",
      "figcaption", "details", "summary", "fieldset", "legend", "dl", "dt", "dd", "hgroup", "caption", "li",
      "tr", "td", "th", "thead", "tbody", "tfoot", "menu", "dir", "listing", "xmp", "plaintext");

  private static final Set<String> CHROME_ROLES = Set.of(
      "navigation", "banner", "contentinfo", "search", "menu", "menubar", "complementary", "toolbar");

  /**
   * Class names and ids that mark page chrome, compared whole (lower-cased), so that content classes that merely
   * contain such a word (DocBook's {@code guimenu}, {@code navigation-example}) survive.
   */
  private static final Set<String> CHROME_NAMES = Set.of(
      "nav", "navbar", "navheader", "navfooter", "navigation", "navlinks", "nav-links", "breadcrumb", "breadcrumbs",
      "menu", "menubar", "mainmenu", "main-menu", "sidebar", "side-bar", "toolbar", "toc", "table-of-contents",
      "skiplink", "skip-link", "skip-to-content", "skiptocontent", "cookie-banner", "cookie-notice",
      "cookie-consent", "header", "footer", "masthead", "pagination", "pager");
  /** {@code site-header}, {@code page_footer}, {@code topnav}, ...: a page-level prefix and a chrome part. */
  private static final List<String> CHROME_PREFIXES = List.of("site", "page", "global", "top", "main", "primary");
  private static final Set<String> CHROME_PARTS = Set.of("header", "footer", "nav", "navigation", "menu", "banner");
  /** {@code breadcrumb-item}, {@code sidebar-left}, {@code navbar-nav}: parts of something that is chrome. */
  private static final List<String> CHROME_STEMS = List.of("breadcrumb", "sidebar", "navbar", "header-nav",
      "header-menu", "footer-nav", "footer-menu", "footer-links");

  /** Admonitions: their headings ("Note", "Tip") are labels, not sections, so they must not open one. */
  private static final Set<String> ADMONITIONS = Set.of(
      "note", "tip", "warning", "caution", "important", "admonition", "callout");

  private static final Pattern DISPLAY_NONE = Pattern.compile("(?i)display\\s*:\\s*none");
  private static final Pattern SPACES = Pattern.compile("[ \\t\\n\\r\\f\\u00a0]+");

  public static Extraction extract(String html) {
    return extract(Jsoup.parse(html));
  }

  public static Extraction extract(Document document) {
    String title = collapse(document.title());
    if (title.isEmpty()) {
      Element h1 = document.selectFirst("h1");
      title = h1 == null ? "" : collapse(h1.text());
    }
    Element root = document.body() != null ? document.body() : document;
    Renderer renderer = new Renderer(0);
    renderer.renderChildren(root);
    return new Extraction(title.isEmpty() ? null : title, String.join("\n\n", renderer.finish()));
  }

  /** Renders nodes into blocks (paragraph-level strings), joined by blank lines at the end. */
  private static final class Renderer {
    private final List<String> blocks = new ArrayList<>();
    private final StringBuilder inline = new StringBuilder();
    private final int listDepth;
    /** Inside a cell of a multi-column table, where everything must fit on the row's one line. */
    private final boolean inCell;

    Renderer(int listDepth) {
      this(listDepth, false);
    }

    Renderer(int listDepth, boolean inCell) {
      this.listDepth = listDepth;
      this.inCell = inCell;
    }

    List<String> finish() {
      flush();
      return blocks;
    }

    void renderChildren(Element element) {
      for (Node child : element.childNodes()) {
        render(child);
      }
    }

    void render(Node node) {
      if (node instanceof TextNode text) {
        appendInline(text.getWholeText());
        return;
      }
      if (!(node instanceof Element element) || isChrome(element)) {
        return; // comments, doctype, data of script/style, and dropped elements
      }
      String tag = element.normalName();
      switch (tag) {
        case "h1", "h2", "h3", "h4", "h5", "h6" -> {
          flush();
          String heading = inlineText(element);
          if (!heading.isEmpty()) {
            boolean label = inCell || inAdmonition(element);
            blocks.add(label ? heading : "#".repeat(tag.charAt(1) - '0') + " " + heading);
          }
        }
        case "pre" -> {
          if (inCell) {
            appendInline(" " + verbatim(element) + " "); // a fence cannot live inside a table row's line
            return;
          }
          flush();
          String code = verbatim(element);
          if (!code.isBlank()) {
            blocks.add(fence(code));
          }
        }
        case "ul", "ol" -> {
          flush();
          String list = list(element);
          if (!list.isEmpty()) {
            blocks.add(list);
          }
        }
        case "table" -> {
          flush();
          String table = table(element);
          if (!table.isEmpty()) {
            blocks.add(table);
          }
        }
        case "br" -> inline.append('\n');
        case "hr" -> flush();
        default -> {
          boolean block = BLOCK_TAGS.contains(tag);
          if (block) {
            flush();
          }
          renderChildren(element);
          if (block) {
            flush();
          }
        }
      }
    }

    /** Whitespace collapses to one space, as a browser shows it; a {@code br} is a kept newline. */
    private void appendInline(String text) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u00a0') {
          int last = inline.length() - 1;
          if (last >= 0 && inline.charAt(last) != ' ' && inline.charAt(last) != '\n') {
            inline.append(' ');
          }
        } else {
          inline.append(c);
        }
      }
    }

    private void flush() {
      if (inline.length() == 0) {
        return;
      }
      StringBuilder paragraph = new StringBuilder();
      for (String line : inline.toString().split("\n")) {
        String stripped = line.strip();
        if (!stripped.isEmpty()) {
          if (paragraph.length() > 0) {
            paragraph.append('\n');
          }
          paragraph.append(stripped);
        }
      }
      inline.setLength(0);
      if (paragraph.length() > 0) {
        blocks.add(paragraph.toString());
      }
    }

    /** One list block: items on their own lines, nested lists indented two spaces per level. */
    private String list(Element listElement) {
      boolean ordered = listElement.normalName().equals("ol");
      int number = ordered ? parseStart(listElement.attr("start")) : 0;
      String indent = "  ".repeat(listDepth);
      List<String> items = new ArrayList<>();
      for (Element child : listElement.children()) {
        if (isChrome(child)) {
          continue;
        }
        Renderer item = new Renderer(listDepth + 1);
        if (child.normalName().equals("li")) {
          item.renderChildren(child);
        } else {
          item.render(child); // a list nested directly in a list, as some generators write it
        }
        List<String> parts = item.finish();
        if (parts.isEmpty()) {
          continue;
        }
        String marker = ordered ? (number++) + ". " : "- ";
        String body = String.join("\n", parts);
        boolean nestedListOnly = !child.normalName().equals("li");
        if (nestedListOnly) {
          items.add(body);
        } else if (body.startsWith("```") || body.startsWith("  ")) {
          items.add(indent + marker.strip() + "\n" + body); // a fence or nested list must start its own line
        } else {
          items.add(indent + marker + body);
        }
      }
      return String.join("\n", items);
    }

    /**
     * One table block: a {@code | cell | cell |} line per row, a separator line after a header row. A table of
     * one column is a layout device (a list of values, or of function descriptions with code in them), so its
     * cells are rendered as ordinary blocks instead, which keeps their paragraphs and code fences.
     */
    private String table(Element tableElement) {
      List<String> lines = new ArrayList<>();
      Element caption = tableElement.selectFirst("> caption");
      if (caption != null && !isChrome(caption)) {
        String text = inlineText(caption);
        if (!text.isEmpty()) {
          lines.add(text);
        }
      }
      List<Element> rows = new ArrayList<>();
      int columns = 0;
      for (Element row : tableElement.select("tr")) {
        if (row.closest("table") == tableElement && !isChrome(row)) { // nested tables render inside their cell
          rows.add(row);
          columns = Math.max(columns, cells(row).size());
        }
      }
      if (columns <= 1) {
        for (Element row : rows) {
          for (Element cell : cells(row)) {
            Renderer content = new Renderer(listDepth, inCell);
            content.renderChildren(cell);
            lines.addAll(content.finish());
          }
        }
        return String.join(inCell ? " " : "\n\n", lines);
      }
      boolean headerDone = false;
      for (Element row : rows) {
        List<String> cells = new ArrayList<>();
        boolean allHeader = true;
        boolean anyText = false;
        for (Element cell : cells(row)) {
          allHeader &= cell.normalName().equals("th");
          Renderer content = new Renderer(0, true);
          content.renderChildren(cell);
          String text = collapse(String.join(" ", content.finish())).replace("|", "\\|");
          anyText |= !text.isEmpty();
          cells.add(text);
        }
        if (!anyText) {
          continue;
        }
        lines.add("| " + String.join(" | ", cells) + " |");
        boolean headerRow = allHeader || row.parent() != null && row.parent().normalName().equals("thead");
        if (!headerDone && headerRow) {
          lines.add("|" + " --- |".repeat(cells.size()));
        }
        headerDone = true;
      }
      return String.join("\n", lines);
    }

    private static List<Element> cells(Element row) {
      List<Element> cells = new ArrayList<>();
      for (Element cell : row.children()) {
        String tag = cell.normalName();
        if ((tag.equals("td") || tag.equals("th")) && !isChrome(cell)) {
          cells.add(cell);
        }
      }
      return cells;
    }

    private static String inlineText(Element element) {
      Renderer renderer = new Renderer(0, true);
      renderer.renderChildren(element);
      return collapse(String.join(" ", renderer.finish()));
    }
  }

  /** A {@code pre} element's text exactly as written (markup inside it dropped), without the leading newline. */
  private static String verbatim(Element pre) {
    StringBuilder out = new StringBuilder();
    appendVerbatim(pre, out);
    int start = 0;
    while (start < out.length() && (out.charAt(start) == '\n' || out.charAt(start) == '\r')) {
      start++;
    }
    return out.substring(start).stripTrailing();
  }

  private static void appendVerbatim(Element element, StringBuilder out) {
    for (Node child : element.childNodes()) {
      if (child instanceof TextNode text) {
        out.append(text.getWholeText());
      } else if (child instanceof Element inner && !isChrome(inner)) {
        if (inner.normalName().equals("br")) {
          out.append('\n');
        } else {
          appendVerbatim(inner, out);
        }
      }
    }
  }

  /** Fenced with one more backtick than the longest run inside, so code that contains a fence stays inside. */
  private static String fence(String code) {
    int longest = 0;
    int run = 0;
    for (int i = 0; i < code.length(); i++) {
      run = code.charAt(i) == '`' ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    String fence = "`".repeat(Math.max(3, longest + 1));
    return fence + "\n" + code + "\n" + fence;
  }

  static boolean isChrome(Element element) {
    String tag = element.normalName();
    if (DROPPED_TAGS.contains(tag)) {
      return true;
    }
    if (element.attributesSize() == 0) {
      return false;
    }
    String style = element.attr("style");
    if (element.hasAttr("hidden") || "true".equalsIgnoreCase(element.attr("aria-hidden"))
        || (style.contains("none") && DISPLAY_NONE.matcher(style).find())) {
      return true;
    }
    String role = element.attr("role").toLowerCase(Locale.ROOT);
    if (!role.isEmpty() && CHROME_ROLES.contains(role)) {
      return true;
    }
    if (tag.equals("body") || tag.equals("html")) {
      return false; // a body whose class says "sidebar-layout" still holds the page
    }
    String id = element.id();
    if (!id.isEmpty() && isChromeName(id)) {
      return true;
    }
    String classes = element.className();
    if (!classes.isEmpty()) {
      int start = 0;
      for (int i = 0; i <= classes.length(); i++) {
        if (i == classes.length() || Character.isWhitespace(classes.charAt(i))) {
          if (i > start && isChromeName(classes.substring(start, i))) {
            return true;
          }
          start = i + 1;
        }
      }
    }
    return false;
  }

  static boolean isChromeName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (CHROME_NAMES.contains(lower)) {
      return true;
    }
    for (String stem : CHROME_STEMS) {
      if (lower.startsWith(stem) && (lower.length() == stem.length() || lower.charAt(stem.length()) == '-'
          || lower.charAt(stem.length()) == '_')) {
        return true;
      }
    }
    for (String prefix : CHROME_PREFIXES) {
      if (lower.startsWith(prefix)) {
        String rest = lower.substring(prefix.length());
        if (rest.startsWith("-") || rest.startsWith("_")) {
          rest = rest.substring(1);
        }
        if (CHROME_PARTS.contains(rest)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean inAdmonition(Element heading) {
    for (Element parent = heading.parent(); parent != null; parent = parent.parent()) {
      for (String name : parent.classNames()) {
        if (ADMONITIONS.contains(name.toLowerCase(Locale.ROOT))) {
          return true;
        }
      }
    }
    return false;
  }

  private static int parseStart(String start) {
    try {
      return start.isBlank() ? 1 : Integer.parseInt(start.strip());
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static String collapse(String text) {
    return SPACES.matcher(text).replaceAll(" ").strip();
  }
}
