package org.loradist.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Generated data sets for the trainer tests (seeded, so every run sees the same examples). */
final class TestData {
  private TestData() {
  }

  /** Points labelled by a random linear teacher: argmax(T x). */
  static List<Labeled> teacherLabelled(int n, int dims, int classes, long seed) {
    Random rng = new Random(seed);
    float[][] teacher = new float[classes][dims];
    for (float[] row : teacher) {
      for (int j = 0; j < dims; j++) {
        row[j] = (float) rng.nextGaussian();
      }
    }
    List<Labeled> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] x = new float[dims];
      for (int j = 0; j < dims; j++) {
        x[j] = (float) rng.nextGaussian();
      }
      int best = 0;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        double score = 0;
        for (int j = 0; j < dims; j++) {
          score += teacher[c][j] * x[j];
        }
        if (score > bestScore) {
          bestScore = score;
          best = c;
        }
      }
      out.add(new Labeled("ex-" + i, x, best));
    }
    return out;
  }

  /** Query vectors and passages = a fixed random mix of the query plus noise. */
  static List<Pair> pairs(int n, int dims, long seed) {
    Random rng = new Random(seed);
    float[][] mix = new float[dims][dims];
    for (float[] row : mix) {
      for (int j = 0; j < dims; j++) {
        row[j] = (float) (rng.nextGaussian() / Math.sqrt(dims));
      }
    }
    List<Pair> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] q = new float[dims];
      for (int j = 0; j < dims; j++) {
        q[j] = (float) rng.nextGaussian();
      }
      float[] p = new float[dims];
      for (int a = 0; a < dims; a++) {
        double s = 0.5 * rng.nextGaussian();
        for (int b = 0; b < dims; b++) {
          s += mix[a][b] * q[b];
        }
        p[a] = (float) s;
      }
      out.add(new Pair("pair-" + i, q, p));
    }
    return out;
  }

  static float[] uniform(Random rng, int n, double bound) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
    return a;
  }

  static double maxAbsDiff(TrainState a, TrainState b) {
    double max = 0;
    for (int t = 0; t < a.values().length; t++) {
      for (int i = 0; i < a.values()[t].length; i++) {
        max = Math.max(max, Math.abs(a.values()[t][i] - b.values()[t][i]));
      }
    }
    return max;
  }
}
