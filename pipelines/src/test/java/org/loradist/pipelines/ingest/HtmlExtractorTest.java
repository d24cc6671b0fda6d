package org.loradist.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class HtmlExtractorTest {
  static final Path FIXTURES = Path.of("src/test/resources/html");
  static final Path MANUAL = Path.of("../../shared/data/postgresql-docs/postgresql-15-html.tar.gz");
  private static final Set<String> NAV_WORDS = Set.of("Prev", "Up", "Home", "Next");

  @Test
  void rendersStructureAsMarkdownLikeText() {
    String html = """
        <html><head><title> A  &amp; B </title><style>p { color: red }</style></head><body>
        <h1>Main</h1><p>First   paragraph
        with  a <b>bold</b> word &eacute;t&eacute; &lt;tag&gt;&nbsp;x.</p>
        <p>Second<br>line two</p>
        <h3>Sub <code>part</code></h3>
        <ul><li>one</li><li><p>two</p><ul><li>nested</li></ul></li></ul>
        <ol start="3"><li>three</li><li>four</li></ol>
        <pre class="programlisting">
        # not a heading
          indented &lt;b&gt; <em>kept</em>

        after blank</pre>
        <table><thead><tr><th>Name</th><th>Value</th></tr></thead>
        <tbody><tr><td>a|b</td><td><p>x</p><p>y</p></td></tr><tr><td></td><td></td></tr></tbody></table>
        <div class="note"><h3>Note</h3><p>Careful.</p></div>
        <script>var hidden = "script text";</script>
        </body></html>""";

    HtmlExtractor.Extraction page = HtmlExtractor.extract(html);

    assertThat(page.title()).isEqualTo("A & B");
    assertThat(page.text()).isEqualTo("""
        # Main

        First paragraph with a bold word été <tag> x.

        Second
        line two

        ### Sub part

        - one
        - two
          - nested

        3. three
        4. four

        ```
        # not a heading
          indented <b> kept

        after blank
        ```

        | Name | Value |
        | --- | --- |
        | a\\|b | x y |

        Note

        Careful.""");
  }

  @Test
  void removesNavigationAndPageChrome() {
    String html = """
        <body>
        <header><p>Site header</p></header>
        <nav><a href="/">Home</a></nav>
        <div class="navheader"><table><tr><td><a>Prev</a></td><td><a>Next</a></td></tr></table></div>
        <table class="navfooter"><tr><td>Up</td><td>Home</td></tr></table>
        <ol class="breadcrumb"><li>Docs</li><li>Page</li></ol>
        <div id="sidebar"><p>Related links</p></div>
        <ul class="menu top"><li>Menu item</li></ul>
        <div role="navigation"><p>Role nav</p></div>
        <div class="site-footer-links other"><p>keep? no: footer-links is chrome only as a whole name</p></div>
        <p hidden>Hidden text</p><p style="display: none">Invisible text</p>
        <div class="toc"><dl><dt>1. Chapter</dt></dl></div>
        <p>Use the <span class="guimenu">File</span> menu.</p>
        <footer>Copyright footer</footer>
        <noscript>Enable JS</noscript>
        </body>""";

    String text = HtmlExtractor.extract(html).text();

    assertThat(text).contains("Use the File menu.");
    assertThat(text).doesNotContain("Site header", "Home", "Prev", "Next", "Docs", "Related links", "Menu item",
        "Role nav", "Hidden text", "Invisible text", "1. Chapter", "Copyright footer", "Enable JS");
  }

  @Test
  void titleFallsBackToFirstH1AndElseIsNull() {
    assertThat(HtmlExtractor.extract("<body><h1>Only <i>heading</i></h1><p>x</p></body>").title())
        .isEqualTo("Only heading");
    assertThat(HtmlExtractor.extract("<body><p>no title</p></body>").title()).isNull();
  }

  @Test
  void codeContainingBackticksGetsALongerFence() {
    String text = HtmlExtractor.extract("<pre>a ``` b</pre>").text();
    assertThat(text).isEqualTo("````\na ``` b\n````");
  }

  @Test
  void postgresqlFixturesKeepContentAndLoseNavigation() throws IOException {
    List<Path> pages;
    try (var files = Files.list(FIXTURES)) {
      pages = files.filter(p -> p.toString().endsWith(".html")).sorted().toList();
    }
    assertThat(pages).hasSize(5);
    for (Path page : pages) {
      String html = Files.readString(page);
      HtmlExtractor.Extraction extraction = HtmlExtractor.extract(html);
      assertNoNavigation(page.toString(), extraction.text());
      // the check itself sees the navigation rows when nothing removes them
      String naiveRows = String.join("\n", org.jsoup.Jsoup.parse(html).select("tr").eachText());
      assertThat(navigationLines(naiveRows)).as(page.toString()).hasSizeGreaterThanOrEqualTo(2);
      String title = org.jsoup.Jsoup.parse(html).title();
      assertThat(extraction.title()).isEqualTo(title);
      assertThat(extraction.text()).startsWith("## ");
    }

    String bool = extract("datatype-boolean.html");
    assertThat(bool).startsWith("## 8.6. Boolean Type\n\n");
    assertThat(bool).contains("| Name | Storage Size | Description |\n| --- | --- | --- |\n"
        + "| boolean | 1 byte | state of true or false |");
    assertThat(bool).contains("```\nCREATE TABLE test1 (a boolean, b text);\n");
    assertThat(bool).contains("SELECT * FROM test1 WHERE a;\n a |    b\n---+---------\n t | sic est\n```");
    assertThat(bool).contains("states: “true”, “false”, and a third state");

    String ecpg = extract("ecpg-preproc.html");
    assertThat(ecpg).contains("### 36.9.1. Including Files");
    assertThat(ecpg).contains("```\n#include <filename.h>\n```");
    assertThat(ecpg).contains("- current directory\n- /usr/local/include\n");
    assertThat(ecpg).contains("\n\nNote\n\nThe include file name is case-sensitive");
    assertThat(ecpg).doesNotContain("### Note");

    String drop = extract("sql-droptable.html");
    assertThat(drop).contains("## Synopsis\n\n```\nDROP TABLE [ IF EXISTS ] name [, ...] [ CASCADE | RESTRICT ]\n```");
    assertThat(drop).contains("## Parameters\n\nIF EXISTS\n\nDo not throw an error");

    String chapter = extract("plpython.html");
    assertThat(chapter).doesNotContain("Table of Contents", "46.2.1. Data Type Mapping");
    assertThat(chapter).contains("The PL/Python procedural language allows PostgreSQL functions");

    // a one-column table is layout: its cells become paragraphs, not one long "| ... |" line
    String functions = extract("functions-enum.html");
    assertThat(functions).contains("enum_first ( anyenum ) → anyenum\n\n"
        + "Returns the first value of the input enum type.\n\nenum_first(null::rainbow) → red\n\n");
    assertThat(bool).contains("for the “true” state:\n\ntrue\n\nyes\n\non\n\n1\n\n");
  }

  /** Every page of the real manual: no navigation survives, every page has a title and text, fences balance. */
  @Test
  void wholePostgresqlManual() throws IOException {
    int pages = 0;
    try (InputStream file = Files.newInputStream(MANUAL);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(file))) {
      for (TarArchiveEntry entry = tar.getNextTarEntry(); entry != null; entry = tar.getNextTarEntry()) {
        if (!entry.isFile() || !entry.getName().endsWith(".html")) {
          continue;
        }
        String html = new String(tar.readAllBytes(), StandardCharsets.UTF_8);
        HtmlExtractor.Extraction page = HtmlExtractor.extract(html);
        assertThat(page.title()).as(entry.getName()).isNotBlank();
        assertThat(page.text()).as(entry.getName()).isNotBlank();
        assertNoNavigation(entry.getName(), page.text());
        long fences = page.text().lines().filter(line -> line.matches("`{3,}")).count();
        assertThat(fences % 2).as("fence lines in " + entry.getName()).isZero();
        pages++;
      }
    }
    assertThat(pages).isEqualTo(1169);
  }

  private static String extract(String fixture) throws IOException {
    return HtmlExtractor.extract(Files.readString(FIXTURES.resolve(fixture))).text();
  }

  /**
   * The PostgreSQL navigation rows are "Prev | Up | (chapter) | Home | Next" and "(title) | Home | (title)": a line
   * that is such a word, has a table cell that is one, or has two different ones as whole words, is navigation.
   */
  private static void assertNoNavigation(String page, String text) {
    assertThat(navigationLines(text)).as("navigation lines in " + page).isEmpty();
  }

  private static List<String> navigationLines(String text) {
    List<String> navLines = new ArrayList<>();
    for (String line : text.split("\n")) {
      boolean navCell = Arrays.stream(line.split("\\|")).map(String::strip).anyMatch(NAV_WORDS::contains);
      long distinctNavWords = Arrays.stream(line.split("[^A-Za-z]+")).filter(NAV_WORDS::contains).distinct().count();
      if (navCell || distinctNavWords >= 2) {
        navLines.add(line);
      }
    }
    return navLines;
  }
}
