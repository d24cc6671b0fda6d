package org.loradist.pipelines.ingest;

import java.util.Map;
import java.util.Set;

/** Keys the reader itself writes into {@code meta}; a record's own field of that name is kept as {@code record.NAME}. */
final class MetaKeys {
  private MetaKeys() {}

  static final Set<String> RESERVED = Set.of("format", "truncated", "invalid_utf8", "charset");

  static void put(Map<String, String> meta, String field, String value) {
    meta.put(RESERVED.contains(field) ? "record." + field : field, value);
  }
}
