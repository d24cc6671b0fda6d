package org.loradist.pipelines.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;

/**
 * A txt, md or html file: one document per file, at position 0. Reads at most a bounded prefix of the file, so a
 * huge file costs bounded memory: it is rejected as too long or, under TRUNCATE, read as its prefix.
 */
final class WholeFileSource extends RecordSource {
  private static final Pattern ATX_HEADING = Pattern.compile("^ {0,3}#{1,6}[ \\t]+(.+?)(?:[ \\t]+#+)?[ \\t]*$");
  private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");
  private static final Pattern DECLARED_CHARSET = Pattern.compile(
      "(?i)<meta[^>]*charset\\s*=\\s*[\"']?\\s*([a-z0-9_.:-]+)|<\\?xml[^>]*encoding\\s*=\\s*[\"']([a-z0-9_.:-]+)");

  private boolean emitted;

  WholeFileSource(String source, InputFormat.Kind kind, Configuration conf, ReaderOptions options) {
    super(source, kind, conf, options);
  }

  @Override
  protected Row computeNext() throws IOException {
    if (emitted) {
      return null;
    }
    emitted = true;
    long cap = kind.format() == InputFormat.HTML ? options.maxFileBytes() : options.plainTextByteCap();
    byte[] bytes;
    int length;
    boolean overCap;
    try (InputStream in = openStream()) {
      bytes = in.readNBytes((int) cap);
      length = bytes.length;
      overCap = length == cap && in.read() >= 0;
    }
    if (length == 0) {
      return reject(0, RejectReason.EMPTY, "");
    }
    if (ByteSniffer.looksBinary(bytes, length) && !hasUtf16Bom(bytes, length)) {
      return reject(0, RejectReason.BINARY, Samples.ofBytes(bytes, length));
    }
    if (overCap && options.tooLong() == ReaderOptions.TooLongPolicy.REJECT) {
      return reject(0, RejectReason.TOO_LONG, Samples.ofBytes(bytes, length));
    }
    if (overCap) {
      length = Utf8.completePrefix(bytes, length);
    }

    Map<String, String> meta = new TreeMap<>();
    meta.put("format", kind.format().metaName);
    String raw = decode(bytes, length, meta);
    if (raw == null) {
      return reject(0, RejectReason.INVALID_UTF8, Samples.ofBytes(bytes, length));
    }
    String title;
    String text;
    switch (kind.format()) {
      case HTML -> {
        HtmlExtractor.Extraction page = HtmlExtractor.extract(raw);
        title = page.title() != null ? page.title() : kind.baseName();
        text = page.text();
      }
      case MARKDOWN -> {
        String heading = firstHeading(raw);
        title = heading != null ? heading : kind.baseName();
        text = raw;
      }
      default -> {
        title = kind.baseName();
        text = raw;
      }
    }
    if (text.isBlank()) {
      return reject(0, RejectReason.EMPTY, Samples.ofText(raw));
    }
    if (text.length() > options.maxDocChars()) {
      if (options.tooLong() == ReaderOptions.TooLongPolicy.REJECT) {
        return reject(0, RejectReason.TOO_LONG, Samples.ofText(text));
      }
      text = Utf8.truncate(text, options.maxDocChars());
      overCap = true;
    }
    if (overCap) {
      meta.put("truncated", "true");
    }
    return Records.kept(Records.stableId(source, 0), source, 0, title, text, meta);
  }

  /** UTF-8 under the invalid-UTF-8 policy; a BOM or an HTML page's declared charset wins. Null: rejected. */
  private String decode(byte[] bytes, int length, Map<String, String> meta) {
    if (hasUtf16Bom(bytes, length)) {
      Charset utf16 = (bytes[0] & 0xff) == 0xfe ? StandardCharsets.UTF_16BE : StandardCharsets.UTF_16LE;
      return new String(bytes, 2, length - 2, utf16);
    }
    int start = length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf
        ? 3 : 0;
    if (start == 0 && kind.format() == InputFormat.HTML) {
      Charset declared = declaredCharset(bytes, length);
      if (declared != null && !declared.equals(StandardCharsets.UTF_8) && !declared.equals(StandardCharsets.US_ASCII)) {
        meta.put("charset", declared.name());
        return new String(bytes, 0, length, declared);
      }
    }
    boolean replace = options.invalidUtf8() == ReaderOptions.InvalidUtf8Policy.REPLACE;
    Utf8.Decoded decoded = Utf8.decode(bytes, start, length - start, replace);
    if (decoded == null) {
      return null;
    }
    if (decoded.replaced()) {
      meta.put("invalid_utf8", "replaced");
    }
    return decoded.text();
  }

  private static boolean hasUtf16Bom(byte[] bytes, int length) {
    if (length < 2) {
      return false;
    }
    int b0 = bytes[0] & 0xff;
    int b1 = bytes[1] & 0xff;
    return (b0 == 0xfe && b1 == 0xff) || (b0 == 0xff && b1 == 0xfe);
  }

  /** The charset an HTML page declares in its first 2 KiB (meta tag or XML declaration), if Java knows it. */
  private static Charset declaredCharset(byte[] bytes, int length) {
    String head = new String(Arrays.copyOf(bytes, Math.min(length, 2048)), StandardCharsets.ISO_8859_1);
    Matcher m = DECLARED_CHARSET.matcher(head);
    if (!m.find()) {
      return null;
    }
    String name = m.group(1) != null ? m.group(1) : m.group(2);
    try {
      return Charset.forName(name);
    } catch (IllegalArgumentException unknown) {
      return null; // an unknown or misspelt charset: fall back to UTF-8
    }
  }

  /** The first ATX heading ({@code # Title}) outside fenced code, as a Markdown document's title. */
  static String firstHeading(String markdown) {
    boolean inFence = false;
    for (String line : (Iterable<String>) markdown.lines()::iterator) {
      if (FENCE.matcher(line).find()) {
        inFence = !inFence;
        continue;
      }
      if (!inFence) {
        Matcher m = ATX_HEADING.matcher(line);
        if (m.matches()) {
          return m.group(1).strip();
        }
      }
    }
    return null;
  }

  @Override
  protected long failurePosition() {
    return 0;
  }

  @Override
  public void close() {}
}
