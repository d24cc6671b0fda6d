package org.loradist.jobs;

/** The counts of one prep run: every input record is a doc, a reject or a removed duplicate. */
record PrepResult(long records, long docs, long rejected, long deduplicated, long chunks) {
  boolean addsUp() {
    return records == docs + rejected + deduplicated;
  }

  String summary() {
    return records + " records: " + docs + " docs, " + rejected + " rejected, " + deduplicated
        + " duplicates removed; " + chunks + " chunks";
  }
}
