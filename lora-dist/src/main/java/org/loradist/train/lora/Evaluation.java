package org.loradist.train.lora;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.loradist.lora.AdaptedDecoder;
import org.loradist.lora.AdaptedModel;
import org.loradist.model.ForwardContext;
import org.loradist.model.Gpt2Config;

/**
 * The metrics {@code eval.json} reports: accuracy and macro-F1; recall@1, recall@10 and MRR@10 by exact search;
 * response-token loss and perplexity for causal-LM.
 */
public final class Evaluation {
  private static final int LM_BATCH = 8;

  private Evaluation() {
  }

  public record ClassificationMetrics(double accuracy, double macroF1, int examples) {
  }

  public record RetrievalMetrics(double recallAt1, double recallAt10, double mrrAt10, int queries, int passages) {
  }

  /**
   * @param loss mean cross-entropy (nats) over every target token of every example (response tokens and EOS, as
   *     training counts them), i.e. the token-weighted mean, as perplexity is usually defined
   * @param perplexity {@code exp(loss)}
   * @param tokens target tokens scored
   */
  public record CausalLmMetrics(double loss, double perplexity, long tokens, int examples) {
  }

  /** Macro-F1 averages over the classes that occur in gold or predictions (scikit-learn's average="macro"). */
  public static ClassificationMetrics classification(int[] gold, int[] predicted, int classes) {
    if (gold.length != predicted.length || gold.length == 0) {
      throw new IllegalArgumentException(gold.length + " gold labels and " + predicted.length + " predictions");
    }
    int[] tp = new int[classes];
    int[] goldCount = new int[classes];
    int[] predCount = new int[classes];
    int correct = 0;
    for (int i = 0; i < gold.length; i++) {
      goldCount[gold[i]]++;
      predCount[predicted[i]]++;
      if (gold[i] == predicted[i]) {
        tp[gold[i]]++;
        correct++;
      }
    }
    double f1Sum = 0;
    int present = 0;
    for (int c = 0; c < classes; c++) {
      if (goldCount[c] == 0 && predCount[c] == 0) {
        continue;
      }
      present++;
      double p = predCount[c] == 0 ? 0 : (double) tp[c] / predCount[c];
      double r = goldCount[c] == 0 ? 0 : (double) tp[c] / goldCount[c];
      f1Sum += p + r == 0 ? 0 : 2 * p * r / (p + r);
    }
    return new ClassificationMetrics((double) correct / gold.length, f1Sum / present, gold.length);
  }

  public static ClassificationMetrics classification(AdaptedModel model, List<LabeledText> examples) {
    List<String> texts = examples.stream().map(LabeledText::text).toList();
    int[] gold = examples.stream().mapToInt(LabeledText::label).toArray();
    return classification(gold, model.predict(texts), model.classes());
  }

  /**
   * Each query against every passage by cosine similarity (rows are unit vectors); a query's answer is passage
   * {@code gold[q]}.
   */
  public static RetrievalMetrics retrieval(float[][] queries, float[][] passages, int[] gold) {
    double r1 = 0;
    double r10 = 0;
    double mrr = 0;
    for (int q = 0; q < queries.length; q++) {
      double target = dot(queries[q], passages[gold[q]]);
      int better = 0; // passages scoring strictly higher than the answer; ties go to the answer
      for (int p = 0; p < passages.length; p++) {
        if (p != gold[q] && dot(queries[q], passages[p]) > target) {
          better++;
        }
      }
      int rank = better + 1;
      r1 += rank == 1 ? 1 : 0;
      r10 += rank <= 10 ? 1 : 0;
      mrr += rank <= 10 ? 1.0 / rank : 0;
    }
    int n = queries.length;
    return new RetrievalMetrics(r1 / n, r10 / n, mrr / n, n, passages.length);
  }

  /**
   * Queries against the distinct passage texts of {@code pairs} (several queries may share one passage text: a hit
   * is the text, not the row).
   */
  public static RetrievalMetrics retrieval(AdaptedModel model, List<TextPair> pairs) {
    Map<String, Integer> passageIndex = new LinkedHashMap<>();
    int[] gold = new int[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      gold[i] = passageIndex.computeIfAbsent(pairs.get(i).passage(), k -> passageIndex.size());
    }
    float[][] q = model.embed(pairs.stream().map(TextPair::query).toList());
    float[][] p = model.embed(new ArrayList<>(passageIndex.keySet()));
    return retrieval(q, p, gold);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /**
   * Response loss of {@code model} on prompt/response examples, each encoded as training encodes it
   * ({@link CausalLm#encode}, cut at {@code maxTokens}). Runs on the calling thread, {@value #LM_BATCH} examples a
   * forward pass.
   */
  public static CausalLmMetrics causalLm(AdaptedDecoder model, List<PromptResponse> examples, int maxTokens) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("no examples to evaluate");
    }
    Gpt2Config config = model.base().config();
    int width = Math.min(maxTokens, config.nPositions());
    double nll = 0;
    long tokens = 0;
    for (int from = 0; from < examples.size(); from += LM_BATCH) {
      List<CausalLm.Sequence> seqs = new ArrayList<>();
      for (PromptResponse p : examples.subList(from, Math.min(examples.size(), from + LM_BATCH))) {
        seqs.add(CausalLm.encode(model.tokenizer(), p.prompt(), p.response(), config.bosTokenId(),
            config.eosTokenId(), width));
      }
      try (NDManager m = NDManager.newBaseManager()) {
        NDArray logProbs = CausalLm.targetLogProbs(model.model(), m, seqs, ForwardContext.inference());
        long[] t = CausalLm.targets(seqs);
        nll -= logProbs.gather(m.create(t, new Shape(t.length, 1)), 1).sum().getFloat();
        tokens += t.length;
      }
    }
    double loss = nll / tokens;
    return new CausalLmMetrics(loss, Math.exp(loss), tokens, examples.size());
  }
}
