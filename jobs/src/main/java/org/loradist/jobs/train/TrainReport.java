package org.loradist.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: one self-contained page (no script, no external file): the loss curve drawn as inline SVG
 * from metrics.jsonl, the evaluation metrics beside the baseline's, one sentence saying which wins by how much, and
 * the run's facts.
 */
public final class TrainReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WIDTH = 720;
  private static final int HEIGHT = 280;
  private static final int LEFT = 64;
  private static final int RIGHT = 16;
  private static final int TOP = 16;
  private static final int BOTTOM = 40;

  /** One logged step. */
  public record Point(long step, double loss) {}

  private TrainReport() {}

  /** The steps of a metrics.jsonl text with a finite loss. */
  public static List<Point> points(List<String> metricsLines) {
    List<Point> out = new ArrayList<>();
    for (String line : metricsLines) {
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode n = JSON.readTree(line);
        double loss = n.path("loss").asDouble(Double.NaN);
        if (n.has("step") && Double.isFinite(loss)) {
          out.add(new Point(n.get("step").asLong(), loss));
        }
      } catch (IOException e) {
        throw new IllegalArgumentException("metrics.jsonl line is not JSON: " + line, e);
      }
    }
    return out;
  }

  public static String html(String title, List<Point> loss, EvalReport eval, Map<String, Object> facts) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
        .append("</title>\n<style>body{font-family:system-ui,sans-serif;max-width:780px;margin:2em auto;color:#222}"
            + "table{border-collapse:collapse}td,th{padding:4px 12px;border-bottom:1px solid #ddd;text-align:right}"
            + "th:first-child,td:first-child{text-align:left}.verdict{font-size:1.1em;margin:1em 0}"
            + "</style></head><body>\n");
    h.append("<h1>").append(esc(title)).append("</h1>\n");
    if (eval != null) {
      h.append("<p class=\"verdict\">").append(esc(eval.sentence())).append("</p>\n");
    } else {
      h.append("<p class=\"verdict\">No evaluation set was given (--eval), so there is no comparison with a "
          + "baseline.</p>\n");
    }
    h.append("<h2>Training loss</h2>\n").append(svg(loss)).append('\n');
    if (eval != null) {
      h.append("<h2>Evaluation</h2>\n<table><tr><th>metric</th><th>LoRA</th><th>baseline</th><th>difference</th>"
          + "</tr>\n");
      for (Map.Entry<String, Double> m : eval.lora().entrySet()) {
        double l = m.getValue();
        double b = eval.baseline().get(m.getKey());
        h.append("<tr><td>").append(esc(m.getKey())).append("</td><td>").append(fmt(l)).append("</td><td>")
            .append(fmt(b)).append("</td><td>").append(String.format(Locale.ROOT, "%+.4f", l - b))
            .append("</td></tr>\n");
      }
      h.append("</table>\n<p>Baseline: ").append(esc(eval.baselineMethod())).append(".</p>\n");
    }
    h.append("<h2>Run</h2>\n<table>\n");
    for (Map.Entry<String, Object> f : facts.entrySet()) {
      h.append("<tr><td>").append(esc(f.getKey())).append("</td><td>").append(esc(String.valueOf(f.getValue())))
          .append("</td></tr>\n");
    }
    h.append("</table>\n</body></html>\n");
    return h.toString();
  }

  /** The loss per step as a polyline, with its moving average when there are many steps. */
  static String svg(List<Point> points) {
    StringBuilder s = new StringBuilder();
    s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
        .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" role=\"img\" aria-label=\"training loss per step\">\n");
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
        + "stroke=\"#999\"/>\n", LEFT, TOP, plotW, plotH));
    if (points.isEmpty()) {
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no steps logged</text>\n",
          LEFT + plotW / 2, TOP + plotH / 2));
      return s.append("</svg>").toString();
    }
    long minStep = points.get(0).step();
    long maxStep = points.get(points.size() - 1).step();
    double minLoss = points.stream().mapToDouble(Point::loss).min().orElse(0);
    double maxLoss = points.stream().mapToDouble(Point::loss).max().orElse(1);
    if (maxLoss - minLoss < 1e-12) {
      maxLoss = minLoss + 1;
    }
    double stepSpan = Math.max(1, maxStep - minStep);
    double lossLow = minLoss;
    double lossSpan = maxLoss - minLoss;
    java.util.function.DoubleUnaryOperator x = st -> LEFT + (st - minStep) / stepSpan * plotW;
    java.util.function.DoubleUnaryOperator y = l -> TOP + plotH - (l - lossLow) / lossSpan * plotH;
    s.append("<polyline fill=\"none\" stroke=\"#7aa6d6\" stroke-width=\"1.2\" points=\"");
    for (Point p : points) {
      s.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(p.step()), y.applyAsDouble(p.loss())));
    }
    s.append("\"/>\n");
    int window = Math.max(1, points.size() / 20);
    if (window > 1) {
      s.append("<polyline fill=\"none\" stroke=\"#1f4e8c\" stroke-width=\"2\" points=\"");
      double sum = 0;
      for (int i = 0; i < points.size(); i++) {
        sum += points.get(i).loss();
        if (i >= window) {
          sum -= points.get(i - window).loss();
        }
        if (i >= window - 1) {
          s.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(points.get(i).step()),
              y.applyAsDouble(sum / window)));
        }
      }
      s.append("\"/>\n");
    }
    // axis labels: loss range on the left, step range below
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"12\">%s</text>\n",
        LEFT - 6, TOP + 10, fmt(maxLoss)));
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"12\">%s</text>\n",
        LEFT - 6, TOP + plotH, fmt(minLoss)));
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">step %d</text>\n", LEFT,
        HEIGHT - BOTTOM + 18, minStep));
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"12\">step %d</text>\n",
        LEFT + plotW, HEIGHT - BOTTOM + 18, maxStep));
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">loss "
        + "per step%s</text>\n", LEFT + plotW / 2, HEIGHT - 6, window > 1 ? " (dark: mean of " + window + ")" : ""));
    return s.append("</svg>").toString();
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
