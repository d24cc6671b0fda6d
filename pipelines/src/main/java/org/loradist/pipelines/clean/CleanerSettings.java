package org.loradist.pipelines.clean;

import java.io.Serializable;
import java.util.EnumSet;
import java.util.Set;

/**
 * Everything {@link DocumentCleaner} needs, serialisable so that Spark can ship it to the executors.
 *
 * @param normalize apply {@link TextNormalizer} (off: the text is only checked and hashed as it is)
 * @param redact the PII types to redact; empty for none
 * @param filterQuality apply the quality rules of {@code quality}
 * @param quality thresholds of the quality rules
 */
public record CleanerSettings(boolean normalize, Set<PiiType> redact, boolean filterQuality, QualityConfig quality)
    implements Serializable {

  /** Normalise, redact every type, default quality rules. */
  public static final CleanerSettings DEFAULTS =
      new CleanerSettings(true, EnumSet.allOf(PiiType.class), true, QualityConfig.DEFAULTS);

  public CleanerSettings {
    redact = redact.isEmpty() ? EnumSet.noneOf(PiiType.class) : EnumSet.copyOf(redact);
    if (quality == null) {
      throw new IllegalArgumentException("quality config is required (use QualityConfig.NONE for no rules)");
    }
  }
}
