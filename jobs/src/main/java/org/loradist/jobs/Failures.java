package org.loradist.jobs;

import java.util.LinkedHashSet;
import java.util.Set;

/** Turns an exception chain into the one line a user reads: the messages that say something, outermost first. */
final class Failures {
  private Failures() {}

  static String describe(Throwable e) {
    Set<String> parts = new LinkedHashSet<>();
    for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause()) {
      String m = t.getMessage();
      if (m == null || m.isBlank()) {
        continue;
      }
      String first = m.strip().lines().findFirst().orElse("");
      if (parts.stream().noneMatch(p -> p.contains(first))) {
        parts.add(first.length() > 400 ? first.substring(0, 400) + "..." : first);
      }
    }
    return parts.isEmpty() ? e.getClass().getName() : String.join(": ", parts);
  }
}
