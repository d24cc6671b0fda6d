package org.loradist.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The eval outputs: {@code metrics.json} (every system's metrics, the winner and a one-sentence verdict) and
 * {@code report.html}, self-contained (inline CSS and SVG, no scripts or external files): the verdict first, then a
 * bar chart per metric and the metric table, and for classification each system's confusion matrix.
 */
final class EvalReport {
  private static final String[] COLORS = {"#2f6db5", "#b5652f", "#5b9e47", "#8a4fb0"};

  private EvalReport() {}

  /**
   * @param systems name → metric → value ("adapter" first, then the baselines)
   * @param primary the metric that decides the winner (higher is better)
   */
  record Summary(String task, String level, String primary, Map<String, Map<String, Double>> systems,
      Map<String, Object> details, List<String> notes) {

    String bestBaseline() {
      String best = null;
      for (String s : systems.keySet()) {
        if (!s.equals("adapter") && (best == null || value(s) > value(best))) {
          best = s;
        }
      }
      return best;
    }

    double value(String system) {
      return systems.get(system).get(primary);
    }

    String winner() {
      double d = value("adapter") - value(bestBaseline());
      return Math.abs(d) < 1e-12 ? "tie" : d > 0 ? "adapter" : bestBaseline();
    }

    /** One plain sentence: who wins on the primary metric, by how much (absolute and relative). */
    String verdict() {
      String base = bestBaseline();
      double a = value("adapter");
      double b = value(base);
      String what = describe(base);
      if (winner().equals("tie")) {
        return String.format(Locale.ROOT, "The adapter and %s tie on %s at %.4f on the same data.", what, primary, a);
      }
      double diff = a - b;
      String rel = b > 0 ? String.format(Locale.ROOT, ", %+.1f%% relative", 100 * diff / b) : "";
      if (diff > 0) {
        return String.format(Locale.ROOT, "The finetuned adapter wins on %s: %.4f against %.4f for %s (%+.4f%s).",
            primary, a, b, what, diff, rel);
      }
      return String.format(Locale.ROOT, "%s wins on %s: %.4f against %.4f for the finetuned adapter (the adapter is "
          + "%.4f behind%s); finetuning does not pay off here.", capitalise(what), primary, b, a, -diff, rel);
    }
  }

  static String describe(String system) {
    return switch (system) {
      case "baseline" -> "the baseline (base model)";
      case "baseline_logreg" -> "the frozen-embedding logistic regression baseline";
      case "baseline_knn" -> "the frozen-embedding k-NN baseline";
      default -> system;
    };
  }

  private static String capitalise(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  static Map<String, Object> json(Summary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task", s.task());
    m.put("level", s.level());
    m.put("primary_metric", s.primary());
    m.put("systems", s.systems());
    m.put("winner", s.winner());
    m.put("verdict", s.verdict());
    m.putAll(s.details());
    m.put("notes", s.notes());
    return m;
  }

  static String html(Summary s, Map<String, long[][]> confusions, Map<String, List<String>> confusionLabels) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>lora-dist eval: ")
        .append(esc(s.task())).append("</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;"
            + "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;"
            + "text-align:right}th{background:#f3f3f3}.verdict{font-size:1.2em;padding:.8em;background:#f6f8fb;"
            + "border-left:4px solid #2f6db5}.cm td{font-size:.8em}</style></head><body>\n");
    h.append("<h1>lora-dist eval: ").append(esc(s.task())).append("</h1>\n");
    h.append("<p class=\"verdict\">").append(esc(s.verdict())).append("</p>\n");
    h.append("<p>Level: ").append(esc(s.level())).append(". Deciding metric: ").append(esc(s.primary()))
        .append(".</p>\n");
    List<String> metrics = new ArrayList<>(s.systems().values().iterator().next().keySet());
    h.append(chart(s, metrics));
    h.append("<table><tr><th>system</th>");
    metrics.forEach(m -> h.append("<th>").append(esc(m)).append("</th>"));
    h.append("</tr>\n");
    for (var e : s.systems().entrySet()) {
      h.append("<tr><th>").append(esc(e.getKey())).append("</th>");
      metrics.forEach(m -> h.append(String.format(Locale.ROOT, "<td>%.4f</td>", e.getValue().get(m))));
      h.append("</tr>\n");
    }
    h.append("</table>\n");
    for (var e : s.details().entrySet()) {
      if (!(e.getValue() instanceof Map)) {
        h.append("<p>").append(esc(e.getKey())).append(": ").append(esc(String.valueOf(e.getValue()))).append("</p>\n");
      }
    }
    for (var e : confusions.entrySet()) {
      h.append("<h2>Confusion matrix: ").append(esc(e.getKey())).append(" (rows gold, columns predicted)</h2>\n");
      h.append(confusion(confusionLabels.get(e.getKey()), e.getValue()));
    }
    if (!s.notes().isEmpty()) {
      h.append("<h2>Notes</h2><ul>");
      s.notes().forEach(n -> h.append("<li>").append(esc(n)).append("</li>"));
      h.append("</ul>\n");
    }
    return h.append("</body></html>\n").toString();
  }

  /** Grouped horizontal bars: one group per metric, one bar per system, values in [0, 1]. */
  private static String chart(Summary s, List<String> metrics) {
    int bar = 16;
    int gap = 14;
    int labelWidth = 110;
    int width = 560;
    List<String> names = new ArrayList<>(s.systems().keySet());
    int group = names.size() * bar + gap;
    int height = metrics.size() * group + 24 + names.size() * 18;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "role=\"img\" aria-label=\"metrics per system\">\n", width, height));
    int y = 4;
    double scale = width - labelWidth - 70;
    for (String m : metrics) {
      svg.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>\n",
          y + names.size() * bar / 2 + 4, esc(m)));
      for (int i = 0; i < names.size(); i++) {
        double v = Math.max(0, Math.min(1, s.systems().get(names.get(i)).get(m)));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                + "<title>%s %s %.4f</title></rect><text x=\"%.1f\" y=\"%d\" font-size=\"11\">%.3f</text>\n",
            labelWidth, y + i * bar, v * scale, bar - 2, COLORS[i % COLORS.length], esc(names.get(i)), esc(m), v,
            labelWidth + v * scale + 4, y + i * bar + bar - 5, v));
      }
      y += group;
    }
    for (int i = 0; i < names.size(); i++) {
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
          + "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>\n", labelWidth, y + i * 18, COLORS[i % COLORS.length],
          labelWidth + 18, y + i * 18 + 11, esc(names.get(i))));
    }
    return svg.append("</svg>\n").toString();
  }

  private static String confusion(List<String> labels, long[][] m) {
    StringBuilder t = new StringBuilder("<table class=\"cm\"><tr><th></th>");
    labels.forEach(l -> t.append("<th>").append(esc(l)).append("</th>"));
    t.append("</tr>\n");
    for (int i = 0; i < labels.size(); i++) {
      t.append("<tr><th>").append(esc(labels.get(i))).append("</th>");
      for (int j = 0; j < labels.size(); j++) {
        t.append(i == j ? "<td style=\"background:#e3efe0\">" : "<td>").append(m[i][j]).append("</td>");
      }
      t.append("</tr>\n");
    }
    return t.append("</table>\n").toString();
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
