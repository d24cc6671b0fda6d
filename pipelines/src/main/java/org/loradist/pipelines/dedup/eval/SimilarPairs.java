package org.loradist.pipelines.dedup.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.loradist.pipelines.dedup.Jaccard;

/**
 * Ground truth: every pair of sets with Jaccard >= t, exactly (no sampling, no hashing), single-threaded on the
 * driver. Uses the AllPairs size and prefix filters, which skip only pairs that provably fall below t: with
 * tokens in a global order (rarest first), two sets with Jaccard >= t share a token within their first
 * |x| - ceil(t|x|) + 1 tokens, and |y| >= t|x|. {@link #bruteForce} is the same answer by comparing every pair.
 */
public final class SimilarPairs {
  /** One pair, a < b (indices into the input list). */
  public record Pair(int a, int b, double similarity) {}

  private SimilarPairs() {}

  public static List<Pair> find(List<? extends Set<String>> sets, double threshold) {
    int[][] ranked = rankTokens(sets);
    Integer[] bySize = new Integer[ranked.length];
    for (int i = 0; i < bySize.length; i++) {
      bySize[i] = i;
    }
    Arrays.sort(bySize, Comparator.comparingInt((Integer i) -> ranked[i].length).thenComparingInt(i -> i));

    Map<Integer, List<Integer>> index = new HashMap<>();
    List<Pair> pairs = new ArrayList<>();
    int[] lastSeen = new int[ranked.length];
    Arrays.fill(lastSeen, -1);
    for (int x : bySize) {
      int[] xs = ranked[x];
      if (xs.length == 0) {
        continue;
      }
      int prefix = xs.length - (int) Math.ceil(threshold * xs.length - 1e-9) + 1;
      for (int p = 0; p < prefix; p++) {
        for (int y : index.getOrDefault(xs[p], List.of())) {
          if (lastSeen[y] == x || ranked[y].length < threshold * xs.length - 1e-9) {
            continue;
          }
          lastSeen[y] = x;
          double similarity = Jaccard.of(xs, ranked[y]);
          if (similarity >= threshold) {
            pairs.add(new Pair(Math.min(x, y), Math.max(x, y), similarity));
          }
        }
      }
      for (int p = 0; p < prefix; p++) {
        index.computeIfAbsent(xs[p], t -> new ArrayList<>()).add(x);
      }
    }
    return pairs;
  }

  public static List<Pair> bruteForce(List<? extends Set<String>> sets, double threshold) {
    int[][] ranked = rankTokens(sets);
    List<Pair> pairs = new ArrayList<>();
    for (int a = 0; a < ranked.length; a++) {
      for (int b = a + 1; b < ranked.length; b++) {
        double similarity = Jaccard.of(ranked[a], ranked[b]);
        if (similarity >= threshold) {
          pairs.add(new Pair(a, b, similarity));
        }
      }
    }
    return pairs;
  }

  /** Each set as sorted token ranks; rank 0 = rarest token (ties broken by the token's text). */
  private static int[][] rankTokens(List<? extends Collection<String>> sets) {
    Map<String, Integer> frequency = new HashMap<>();
    for (Collection<String> set : sets) {
      for (String token : set) {
        frequency.merge(token, 1, Integer::sum);
      }
    }
    List<String> tokens = new ArrayList<>(frequency.keySet());
    tokens.sort(Comparator.comparingInt((String t) -> frequency.get(t)).thenComparing(t -> t));
    Map<String, Integer> rank = new HashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      rank.put(tokens.get(i), i);
    }
    int[][] ranked = new int[sets.size()][];
    for (int i = 0; i < ranked.length; i++) {
      ranked[i] = sets.get(i).stream().mapToInt(rank::get).distinct().sorted().toArray();
    }
    return ranked;
  }
}
