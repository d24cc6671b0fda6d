package org.loradist.pipelines.clean;

import java.util.Map;

/**
 * Result of {@link PiiRedactor#redact}: the text with every match replaced by its placeholder, and how many matches
 * of each type were replaced, keyed by {@link PiiType#key()} (types with no match are absent).
 */
public record Redaction(String text, Map<String, Integer> counts) {
  public int count(PiiType type) {
    return counts.getOrDefault(type.key(), 0);
  }

  public int total() {
    int total = 0;
    for (int n : counts.values()) {
      total += n;
    }
    return total;
  }
}
