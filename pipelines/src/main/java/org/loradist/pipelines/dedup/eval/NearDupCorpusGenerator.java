package org.loradist.pipelines.dedup.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * A near-duplicate benchmark with known answers: originals (real texts) each with 1..maxCopies copies in which a
 * fraction p ~ U[minChange, maxChange] of the words was edited (each edit a substitution by a random vocabulary
 * word, an insertion, or a deletion, equally likely), plus unrelated real texts without copies. Seeded.
 */
public final class NearDupCorpusGenerator {
  private NearDupCorpusGenerator() {}

  /**
   * @param baseTexts distinct real texts (see {@link #distinctTexts}); originals and unrelated docs are drawn
   *                  without replacement, so it needs at least {@code originals + unrelated} of them
   */
  public static List<GeneratedDoc> generate(List<String> baseTexts, int originals, int maxCopies, int unrelated,
      double minChange, double maxChange, long seed) {
    if (baseTexts.size() < originals + unrelated) {
      throw new IllegalArgumentException("need " + (originals + unrelated) + " base texts, have " + baseTexts.size());
    }
    Random random = new Random(seed);
    List<String> shuffled = new ArrayList<>(baseTexts);
    java.util.Collections.shuffle(shuffled, random);
    List<String> vocabulary = vocabulary(baseTexts);

    List<GeneratedDoc> docs = new ArrayList<>();
    for (int i = 0; i < originals; i++) {
      String id = String.format(Locale.ROOT, "o%05d", i);
      String original = shuffled.get(i);
      docs.add(new GeneratedDoc(id, original, id, 0.0));
      int copies = 1 + random.nextInt(maxCopies);
      for (int c = 1; c <= copies; c++) {
        double rate = minChange + (maxChange - minChange) * random.nextDouble();
        String copy = edit(original, rate, vocabulary, random);
        docs.add(new GeneratedDoc(id + "-c" + c, copy, id, rate));
      }
    }
    for (int i = 0; i < unrelated; i++) {
      String id = String.format(Locale.ROOT, "u%05d", i);
      docs.add(new GeneratedDoc(id, shuffled.get(originals + i), id, 0.0));
    }
    return docs;
  }

  /** Texts with at least {@code minWords} whitespace-separated words, distinct after lower-casing and collapsing. */
  public static List<String> distinctTexts(List<String> texts, int minWords) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> kept = new ArrayList<>();
    for (String text : texts) {
      if (text == null) {
        continue;
      }
      String normalised = ContentHash.normalise(text);
      if (!normalised.isEmpty() && normalised.split(" ").length >= minWords && seen.add(normalised)) {
        kept.add(text);
      }
    }
    return kept;
  }

  /** Edits round(rate * words) >= 1 word positions; the result always differs from the input (after normalising). */
  static String edit(String text, double rate, List<String> vocabulary, Random random) {
    List<String> words = new ArrayList<>(Arrays.asList(text.trim().split("\\s+")));
    int edits = Math.max(1, (int) Math.round(rate * words.size()));
    for (int e = 0; e < edits; e++) {
      int op = random.nextInt(3);
      if (op == 0 && words.size() > 1) {
        words.remove(random.nextInt(words.size()));
      } else if (op == 1) {
        words.add(random.nextInt(words.size() + 1), randomWord(vocabulary, random));
      } else {
        int at = random.nextInt(words.size());
        String replacement = randomWord(vocabulary, random);
        while (replacement.equalsIgnoreCase(words.get(at))) {
          replacement = randomWord(vocabulary, random);
        }
        words.set(at, replacement);
      }
    }
    String copy = String.join(" ", words);
    return ContentHash.normalise(copy).equals(ContentHash.normalise(text))
        ? edit(text, rate, vocabulary, random)
        : copy;
  }

  private static String randomWord(List<String> vocabulary, Random random) {
    return vocabulary.get(random.nextInt(vocabulary.size()));
  }

  private static List<String> vocabulary(List<String> texts) {
    Set<String> words = new LinkedHashSet<>();
    for (String text : texts) {
      words.addAll(Arrays.asList(text.trim().split("\\s+")));
    }
    return new ArrayList<>(words);
  }
}
