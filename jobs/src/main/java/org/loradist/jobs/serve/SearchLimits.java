package org.loradist.jobs.serve;

/** What one request may ask: k at most {@code maxK}, a query of at most {@code maxQueryChars}, a bounded body. */
public record SearchLimits(int maxK, int maxQueryChars, int maxBodyBytes, int defaultK) {
  public SearchLimits {
    if (maxK < 1 || maxQueryChars < 1 || maxBodyBytes < 64 || defaultK < 1 || defaultK > maxK) {
      throw new IllegalArgumentException("invalid search limits: maxK " + maxK + ", maxQueryChars " + maxQueryChars
          + ", maxBodyBytes " + maxBodyBytes + ", defaultK " + defaultK);
    }
  }
}
