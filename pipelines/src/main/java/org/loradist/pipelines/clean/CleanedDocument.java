package org.loradist.pipelines.clean;

import java.util.Map;

/**
 * One document after {@link DocumentCleaner}: the cleaned and redacted text, its UTF-16 length, its
 * {@link ContentHash} (null when rejected: rejects take no part in deduplication), the PII counts by
 * {@link PiiType#key()} and the quality reject reason (null when kept).
 */
public record CleanedDocument(String text, int chars, String contentHash, Map<String, Integer> pii,
                              String rejectReason) {
  public boolean kept() {
    return rejectReason == null;
  }
}
