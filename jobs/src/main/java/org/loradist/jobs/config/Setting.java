package org.loradist.jobs.config;

import java.util.List;

/**
 * One configuration key: its type, default, allowed range or values, and meaning. Every key lora-dist reads is
 * declared once in {@link Settings}; validation and the generated reference both come from there.
 */
public record Setting(String key, Kind kind, Object defaultValue, String doc, Double min, Double max,
                      List<String> allowed) {

  public enum Kind { STRING, INT, LONG, DOUBLE, BOOLEAN, STRING_LIST }

  public static Setting string(String key, String def, String doc) {
    return new Setting(key, Kind.STRING, def, doc, null, null, List.of());
  }

  public static Setting choice(String key, String def, String doc, String... allowed) {
    return new Setting(key, Kind.STRING, def, doc, null, null, List.of(allowed));
  }

  public static Setting integer(String key, int def, int min, int max, String doc) {
    return new Setting(key, Kind.INT, def, doc, (double) min, (double) max, List.of());
  }

  public static Setting longValue(String key, long def, long min, long max, String doc) {
    return new Setting(key, Kind.LONG, def, doc, (double) min, (double) max, List.of());
  }

  public static Setting decimal(String key, double def, double min, double max, String doc) {
    return new Setting(key, Kind.DOUBLE, def, doc, min, max, List.of());
  }

  public static Setting bool(String key, boolean def, String doc) {
    return new Setting(key, Kind.BOOLEAN, def, doc, null, null, List.of());
  }

  public static Setting list(String key, List<String> def, String doc) {
    return new Setting(key, Kind.STRING_LIST, def, doc, null, null, List.of());
  }

  /** What a valid value looks like, for error messages and the reference. */
  public String expectation() {
    return switch (kind) {
      case STRING -> allowed.isEmpty() ? "a string" : "one of " + String.join(", ", allowed);
      case INT, LONG -> "an integer in [" + fmt(min) + ", " + fmt(max) + "]";
      case DOUBLE -> "a number in [" + fmt(min) + ", " + fmt(max) + "]";
      case BOOLEAN -> "true or false";
      case STRING_LIST -> "a list of strings (or one comma-separated string)";
    };
  }

  private static String fmt(Double d) {
    if (d == null) {
      return "?";
    }
    if (d >= Integer.MAX_VALUE) {
      return "max";
    }
    return d == Math.rint(d) ? Long.toString(d.longValue()) : d.toString();
  }
}
