package org.loradist.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Larger-than-real inputs for PrepBench: copy k of a JSON-lines corpus in which roughly every other word of each
 * record's text is replaced by the word at the same position of another record (its donor, read cyclically when
 * shorter), under a new unique id.
 *
 * <p>Why this shape: a plain repeat of the corpus would be all exact duplicates (dedup would remove 3/4 of a 4x
 * input and chunking would see a quarter of it); random text would have none of the corpus's word statistics.
 * Replacing about half of the words changes about 7/8 of the word 3-shingles, so a copy is far below the 0.8
 * near-duplicate threshold against its original and against every other copy (their masks and donors differ),
 * while word lengths, vocabulary, paragraphs and lengths stay the corpus's own. The donor and the mask depend on
 * (seed, copy, group field), not on the record: records of one source package (siblings that share paragraphs)
 * get the same replacements at the same positions, so their shared prefixes stay shared and some of the sibling
 * near-duplicate structure carries into each copy; the dedup work per MB stays close to the real split's.
 */
final class PerturbedCopies {
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<ObjectNode> records = new ArrayList<>();
  private final List<List<String>> words = new ArrayList<>();
  private final List<String> groups = new ArrayList<>();
  private final String idField;
  private final String textField;
  private final String groupField;
  private final long seed;

  /** @param lines JSON objects with string fields {@code idField}, {@code textField}, {@code groupField} */
  PerturbedCopies(List<String> lines, String idField, String textField, String groupField, long seed)
      throws Exception {
    this.idField = idField;
    this.textField = textField;
    this.groupField = groupField;
    this.seed = seed;
    for (String line : lines) {
      ObjectNode record = (ObjectNode) JSON.readTree(line);
      records.add(record);
      List<String> recordWords = new ArrayList<>();
      Matcher m = WORD.matcher(record.path(textField).asText(""));
      while (m.find()) {
        recordWords.add(m.group());
      }
      words.add(recordWords);
      groups.add(record.path(groupField).asText(record.path(idField).asText()));
    }
  }

  /** Copy {@code k} (>= 1) of every record, in input order, as JSON lines. */
  List<String> copy(int k) throws Exception {
    List<String> out = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      ObjectNode record = records.get(i).deepCopy();
      String group = groups.get(i);
      long groupSeed = seed * 0x9E3779B97F4A7C15L + k * 0xBF58476D1CE4E5B9L + group.hashCode();
      SplittableRandom random = new SplittableRandom(groupSeed);
      // The donor comes from another group: a sibling often has the very same text.
      int donorIndex = random.nextInt(words.size());
      for (int tries = 0; tries < 100 && groups.get(donorIndex).equals(group); tries++) {
        donorIndex = random.nextInt(words.size());
      }
      List<String> donor = words.get(donorIndex);
      record.put(idField, record.path(idField).asText() + "~copy" + k);
      record.put(textField, perturb(record.path(textField).asText(""), donor, random.split()));
      out.add(JSON.writeValueAsString(record));
    }
    return out;
  }

  /**
   * The text with word p replaced by donor word p (the donor's words repeated when it is shorter) where a coin
   * (the same sequence for the whole group) says so.
   */
  private static String perturb(String text, List<String> donor, SplittableRandom mask) {
    StringBuilder b = new StringBuilder(text.length());
    Matcher m = WORD.matcher(text);
    int last = 0;
    int position = 0;
    while (m.find()) {
      b.append(text, last, m.start());
      boolean replace = mask.nextBoolean();
      b.append(replace && !donor.isEmpty() ? donor.get(position % donor.size()) : m.group());
      last = m.end();
      position++;
    }
    return b.append(text, last, text.length()).toString();
  }
}
