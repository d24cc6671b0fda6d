package org.loradist.pipelines.ingest;

import java.util.Locale;

/** The formats the reader knows, told apart by file extension; {@code .gz} on any of them is decompressed. */
public enum InputFormat {
  TXT("txt"),
  MARKDOWN("md"),
  HTML("html"),
  JSONL("jsonl"),
  PARQUET("parquet"),
  UNSUPPORTED("unsupported");

  /** The value of {@code meta["format"]}. */
  public final String metaName;

  InputFormat(String metaName) {
    this.metaName = metaName;
  }

  /** A file's format and whether it is gzip-compressed, from its name. */
  public record Kind(InputFormat format, boolean gzip, String baseName) {}

  public static Kind of(String fileName) {
    String name = fileName.substring(fileName.lastIndexOf('/') + 1);
    String lower = name.toLowerCase(Locale.ROOT);
    boolean gzip = lower.endsWith(".gz");
    if (gzip) {
      lower = lower.substring(0, lower.length() - 3);
      name = name.substring(0, name.length() - 3);
    }
    int dot = lower.lastIndexOf('.');
    String ext = dot < 0 ? "" : lower.substring(dot + 1);
    String baseName = dot <= 0 ? name : name.substring(0, dot);
    InputFormat format = switch (ext) {
      case "txt", "text" -> TXT;
      case "md", "markdown" -> MARKDOWN;
      case "html", "htm", "xhtml" -> HTML;
      case "jsonl", "ndjson" -> JSONL;
      case "parquet" -> PARQUET;
      default -> UNSUPPORTED;
    };
    return new Kind(format, gzip, baseName);
  }
}
