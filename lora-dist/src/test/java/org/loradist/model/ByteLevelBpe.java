package org.loradist.model;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small GPT-2-style byte-level BPE tokenizer.json, learnt from texts: GPT-2's 256 byte symbols
 * ({@code bytes_to_unicode}), {@code merges} merges learnt greedily (most frequent pair, ties by the pair's text), and
 * {@code <|endoftext|>} as the last id, with GPT-2's ByteLevel pre-tokenizer, post-processor and decoder. It stands
 * in for GPT-2's own 50257-token tokenizer, which cannot be downloaded here: the same format and code paths in the
 * Hugging Face tokenizers library, a smaller vocabulary.
 */
public final class ByteLevelBpe {
  public static final String EOS = "<|endoftext|>";
  // GPT-2's pre-tokenization regex (what the ByteLevel pre-tokenizer splits on)
  private static final Pattern WORDS =
      Pattern.compile("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

  private ByteLevelBpe() {
  }

  /** GPT-2's reversible map from bytes to printable characters. */
  static char[] byteSymbols() {
    char[] out = new char[256];
    boolean[] printable = new boolean[256];
    for (int b = '!'; b <= '~'; b++) {
      printable[b] = true;
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      printable[b] = true;
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      printable[b] = true;
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      out[b] = printable[b] ? (char) b : (char) (256 + n++);
    }
    return out;
  }

  /** Vocabulary size of a tokenizer with {@code merges} merges: 256 bytes + merges + EOS. */
  public static int vocabSize(int merges) {
    return 256 + merges + 1;
  }

  /** The tokenizer.json text. */
  public static String train(List<String> texts, int merges) {
    char[] symbols = byteSymbols();
    Map<String, Integer> wordCounts = new HashMap<>();
    for (String text : texts) {
      Matcher m = WORDS.matcher(text);
      while (m.find()) {
        StringBuilder w = new StringBuilder();
        for (byte b : m.group().getBytes(StandardCharsets.UTF_8)) {
          w.append(symbols[b & 0xFF]);
        }
        wordCounts.merge(w.toString(), 1, Integer::sum);
      }
    }
    List<List<String>> words = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    wordCounts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      List<String> s = new ArrayList<>();
      e.getKey().chars().forEach(c -> s.add(String.valueOf((char) c)));
      words.add(s);
      counts.add(e.getValue());
    });
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (char c : symbols) {
      vocab.put(String.valueOf(c), vocab.size());
    }
    List<String> mergeList = new ArrayList<>();
    while (mergeList.size() < merges) {
      Map<String, Integer> pairs = new HashMap<>();
      for (int w = 0; w < words.size(); w++) {
        List<String> s = words.get(w);
        for (int i = 0; i + 1 < s.size(); i++) {
          pairs.merge(s.get(i) + " " + s.get(i + 1), counts.get(w), Integer::sum);
        }
      }
      String best = null;
      for (Map.Entry<String, Integer> e : pairs.entrySet()) {
        if (best == null || e.getValue() > pairs.get(best) || (e.getValue().equals(pairs.get(best))
            && e.getKey().compareTo(best) < 0)) {
          best = e.getKey();
        }
      }
      if (best == null) {
        break; // every word is one symbol
      }
      String left = best.substring(0, best.indexOf(' '));
      String right = best.substring(best.indexOf(' ') + 1);
      String joined = left + right;
      mergeList.add(best);
      vocab.putIfAbsent(joined, vocab.size());
      for (List<String> s : words) {
        for (int i = 0; i + 1 < s.size(); i++) {
          if (s.get(i).equals(left) && s.get(i + 1).equals(right)) {
            s.set(i, joined);
            s.remove(i + 1);
          }
        }
      }
    }
    // merges that produce an existing token still count as merges; pad ids so the vocabulary has its full size
    while (vocab.size() < 256 + merges) {
      vocab.put("<|unused" + vocab.size() + "|>", vocab.size());
    }
    int eos = vocab.size();
    vocab.put(EOS, eos);
    return json(vocab, mergeList, eos);
  }

  private static String json(Map<String, Integer> vocab, List<String> merges, int eos) {
    JsonObject root = new JsonObject();
    root.addProperty("version", "1.0");
    root.add("truncation", JsonNull.INSTANCE);
    root.add("padding", JsonNull.INSTANCE);
    JsonArray added = new JsonArray();
    JsonObject eosToken = new JsonObject();
    eosToken.addProperty("id", eos);
    eosToken.addProperty("content", EOS);
    eosToken.addProperty("single_word", false);
    eosToken.addProperty("lstrip", false);
    eosToken.addProperty("rstrip", false);
    eosToken.addProperty("normalized", true);
    eosToken.addProperty("special", true);
    added.add(eosToken);
    root.add("added_tokens", added);
    root.add("normalizer", JsonNull.INSTANCE);
    root.add("pre_tokenizer", byteLevel(false, true));
    root.add("post_processor", byteLevel(true, false));
    root.add("decoder", byteLevel(true, true));
    JsonObject model = new JsonObject();
    model.addProperty("type", "BPE");
    model.add("dropout", JsonNull.INSTANCE);
    model.add("unk_token", JsonNull.INSTANCE);
    model.addProperty("continuing_subword_prefix", "");
    model.addProperty("end_of_word_suffix", "");
    model.addProperty("fuse_unk", false);
    model.addProperty("byte_fallback", false);
    JsonObject v = new JsonObject();
    vocab.forEach(v::addProperty);
    model.add("vocab", v);
    JsonArray m = new JsonArray();
    merges.forEach(m::add);
    model.add("merges", m);
    root.add("model", model);
    return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(root);
  }

  private static JsonObject byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
    JsonObject o = new JsonObject();
    o.addProperty("type", "ByteLevel");
    o.addProperty("add_prefix_space", addPrefixSpace);
    o.addProperty("trim_offsets", trimOffsets);
    o.addProperty("use_regex", true);
    return o;
  }
}
