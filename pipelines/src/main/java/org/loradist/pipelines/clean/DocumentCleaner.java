package org.loradist.pipelines.clean;

/**
 * The cleaning stage for one document: normalise, redact PII, then apply the quality rules to the final text (so
 * that what is judged is what is stored) and hash the kept text. Thread-safe; make one per partition or share one.
 */
public final class DocumentCleaner {
  private final CleanerSettings settings;
  private final TextNormalizer normalizer = new TextNormalizer();
  private final PiiRedactor redactor;
  private final QualityFilter quality;

  public DocumentCleaner(CleanerSettings settings) {
    this.settings = settings;
    this.redactor = new PiiRedactor(settings.redact());
    this.quality = new QualityFilter(settings.quality());
  }

  public CleanerSettings settings() {
    return settings;
  }

  public CleanedDocument clean(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text is null");
    }
    String normalized = settings.normalize() ? normalizer.normalize(text) : text;
    Redaction redaction = redactor.redact(normalized);
    String cleaned = redaction.text();
    String reason = settings.filterQuality() ? quality.rejectReason(cleaned) : null;
    String hash = reason == null ? ContentHash.of(cleaned) : null;
    return new CleanedDocument(cleaned, cleaned.length(), hash, redaction.counts(), reason);
  }
}
