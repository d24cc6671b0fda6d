package org.loradist.jobs.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The adapter and its baseline on the same evaluation examples: what {@code eval.json} holds.
 *
 * @param lora metric name → value for the trained adapter, in display order
 * @param baseline the same metric names → values for the baseline
 * @param baselineMethod what the baseline is, in words
 * @param primary the metric that decides which wins
 * @param facts evaluation-set sizes and the like, written beside the metrics
 * @param percent whether the metrics read as percentages (accuracy) rather than scores (MRR)
 * @param lowerIsBetter whether the primary metric is a cost (loss, perplexity) rather than a score
 */
public record EvalReport(String task, Map<String, Double> lora, Map<String, Double> baseline, String baselineMethod,
    String primary, Map<String, Object> facts, boolean percent, boolean lowerIsBetter) {

  /** Higher wins. */
  public EvalReport(String task, Map<String, Double> lora, Map<String, Double> baseline, String baselineMethod,
      String primary, Map<String, Object> facts, boolean percent) {
    this(task, lora, baseline, baselineMethod, primary, facts, percent, false);
  }

  public double difference() {
    return lora.get(primary) - baseline.get(primary);
  }

  public String winner() {
    double d = lowerIsBetter ? -difference() : difference();
    return d > 0 ? "lora" : d < 0 ? "baseline" : "tie";
  }

  /** One plain sentence: which wins, on what, by how much. */
  public String sentence() {
    double l = lora.get(primary);
    double b = baseline.get(primary);
    String what = percent ? String.format(Locale.ROOT, "%s %.1f%% vs %.1f%%", primary, 100 * l, 100 * b)
        : String.format(Locale.ROOT, "%s %.3f vs %.3f", primary, l, b);
    String by = percent ? String.format(Locale.ROOT, "%.1f points", 100 * Math.abs(difference()))
        : String.format(Locale.ROOT, "%.3f (%.1f%% relative)", Math.abs(difference()),
            b == 0 ? Double.NaN : 100 * Math.abs(difference()) / b);
    return switch (winner()) {
      case "lora" -> "The LoRA adapter beats the baseline (" + baselineMethod + ") by " + by + ": " + what + ".";
      case "baseline" -> "The baseline (" + baselineMethod + ") beats the LoRA adapter by " + by + ": " + what + ".";
      default -> "The LoRA adapter and the baseline (" + baselineMethod + ") tie: " + what + ".";
    };
  }

  /** The eval.json object. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task", task);
    m.putAll(facts);
    m.putAll(lora);
    Map<String, Object> base = new LinkedHashMap<>();
    base.put("method", baselineMethod);
    base.putAll(baseline);
    m.put("baseline", base);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("metric", primary);
    c.put("better", lowerIsBetter ? "lower" : "higher");
    c.put("lora", lora.get(primary));
    c.put("baseline", baseline.get(primary));
    c.put("difference", difference());
    double b = baseline.get(primary);
    c.put("relative_difference", b == 0 ? null : difference() / b);
    c.put("winner", winner());
    c.put("summary", sentence());
    m.put("comparison", c);
    return m;
  }
}
