package org.loradist.pipelines.clean;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Manifest counts of the cleaning stage ({@link TextCleaner#summarize}).
 *
 * @param kept rows with no reject reason
 * @param rejectsByReason rows by reject reason, sorted by reason
 * @param piiCounts redactions by {@link PiiType#key()}, every type present
 */
public record CleanSummary(long kept, Map<String, Long> rejectsByReason, Map<String, Long> piiCounts) {
  public CleanSummary {
    rejectsByReason = Collections.unmodifiableMap(new TreeMap<>(rejectsByReason));
    piiCounts = Collections.unmodifiableMap(new LinkedHashMap<>(piiCounts));
  }

  public long rejected() {
    return rejectsByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  public long rows() {
    return kept + rejected();
  }
}
