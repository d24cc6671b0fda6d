package org.loradist.pipelines.chunk;

/** Where a text's content tokens (no special tokens) lie: UTF-16 [starts[i], ends[i]), in text order. */
record TokenSpans(int[] starts, int[] ends) {
  int length() {
    return starts.length;
  }
}
