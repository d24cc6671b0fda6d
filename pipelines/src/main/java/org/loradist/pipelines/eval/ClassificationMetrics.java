package org.loradist.pipelines.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Accuracy, macro-F1 and the confusion matrix of predicted against gold labels. Macro-F1 averages the per-class F1
 * over every class that occurs in gold or predictions (scikit-learn's average="macro"); {@code labels} is that set,
 * sorted, and orders the matrix: {@code confusion[gold][predicted]}.
 */
public record ClassificationMetrics(double accuracy, double macroF1, int examples, List<String> labels,
    long[][] confusion, Map<String, Double> f1PerClass) {

  public static ClassificationMetrics of(List<String> gold, List<String> predicted) {
    if (gold.size() != predicted.size() || gold.isEmpty()) {
      throw new IllegalArgumentException(gold.size() + " gold labels and " + predicted.size() + " predictions");
    }
    TreeSet<String> all = new TreeSet<>(gold);
    all.addAll(predicted);
    List<String> labels = List.copyOf(all);
    Map<String, Integer> index = new LinkedHashMap<>();
    labels.forEach(l -> index.put(l, index.size()));
    long[][] m = new long[labels.size()][labels.size()];
    int correct = 0;
    for (int i = 0; i < gold.size(); i++) {
      m[index.get(gold.get(i))][index.get(predicted.get(i))]++;
      correct += gold.get(i).equals(predicted.get(i)) ? 1 : 0;
    }
    Map<String, Double> f1 = new LinkedHashMap<>();
    double sum = 0;
    for (int c = 0; c < labels.size(); c++) {
      long tp = m[c][c];
      long goldCount = 0;
      long predCount = 0;
      for (int o = 0; o < labels.size(); o++) {
        goldCount += m[c][o];
        predCount += m[o][c];
      }
      double p = predCount == 0 ? 0 : (double) tp / predCount;
      double r = goldCount == 0 ? 0 : (double) tp / goldCount;
      double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
      f1.put(labels.get(c), f);
      sum += f;
    }
    return new ClassificationMetrics((double) correct / gold.size(), sum / labels.size(), gold.size(), labels, m, f1);
  }
}
