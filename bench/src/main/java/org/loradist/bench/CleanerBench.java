package org.loradist.bench;

import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.zip.GZIPInputStream;
import org.loradist.pipelines.chunk.ChunkConfig;
import org.loradist.pipelines.chunk.Chunker;
import org.loradist.pipelines.clean.CleanerSettings;
import org.loradist.pipelines.clean.ContentHash;
import org.loradist.pipelines.clean.DocumentCleaner;
import org.loradist.pipelines.clean.PiiRedactor;
import org.loradist.pipelines.clean.PiiType;
import org.loradist.pipelines.clean.QualityFilter;
import org.loradist.pipelines.clean.TextNormalizer;
import org.loradist.pipelines.dedup.DedupConfig;
import org.loradist.pipelines.dedup.MinHasher;
import org.loradist.pipelines.dedup.Shingler;

/**
 * Where prep's per-document CPU goes, without Spark: each cleaning step alone (normalise, each PII type, the quality
 * measures, the content hash), the whole {@link DocumentCleaner}, shingling and the MinHash band keys of dedup, and
 * the chunker, over the same texts on one thread.
 * MB/s is UTF-16 chars / 1e6 per second (close to UTF-8 MB for this mostly-ASCII text). One JSON line per step; the
 * best of the rounds counts, so JIT warm-up and a noisy neighbour weigh less.
 *
 * <pre>
 * bench/run.sh CleanerBench /abs/path/shared/data/debian-packages/train.jsonl.gz [rounds]
 * </pre>
 */
public final class CleanerBench {
  private CleanerBench() {}

  public static void main(String[] args) throws Exception {
    List<String> texts = descriptions(Path.of(args[0]));
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    long chars = texts.stream().mapToLong(String::length).sum();
    System.out.printf(Locale.ROOT, "{\"texts\":%d,\"chars\":%d,\"load\":%.2f}%n", texts.size(), chars, load());

    Map<String, ToLongFunction<String>> steps = new LinkedHashMap<>();
    TextNormalizer normalizer = new TextNormalizer();
    steps.put("normalize", t -> normalizer.normalize(t).length());
    for (PiiType type : PiiType.values()) {
      PiiRedactor one = new PiiRedactor(EnumSet.of(type));
      steps.put("redact_" + type.key(), t -> one.redact(t).text().length());
    }
    PiiRedactor all = PiiRedactor.all();
    steps.put("redact_all", t -> all.redact(t).text().length());
    steps.put("quality_measure", t -> QualityFilter.measure(t).chars());
    steps.put("content_hash", t -> ContentHash.of(t).length());
    DocumentCleaner cleaner = new DocumentCleaner(CleanerSettings.DEFAULTS);
    steps.put("document_cleaner", t -> cleaner.clean(t).text().length());
    DedupConfig dedup = DedupConfig.defaults();
    steps.put("shingle", t -> Shingler.hashedShingles(t, dedup.shingleSize(), dedup.seed()).length);
    MinHasher hasher = new MinHasher(dedup.bands(), dedup.rows(), dedup.seed());
    steps.put("shingle_minhash_bands",
        t -> hasher.bandKeysOf(Shingler.hashedShingles(t, dedup.shingleSize(), dedup.seed())).length);
    Chunker chunker = Chunker.cached(null, ChunkConfig.defaults());
    steps.put("chunker", t -> chunker.chunk(t).size());

    for (Map.Entry<String, ToLongFunction<String>> step : steps.entrySet()) {
      double best = Double.MAX_VALUE;
      long sink = 0;
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        for (String t : texts) {
          sink += step.getValue().applyAsLong(t);
        }
        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      }
      System.out.printf(Locale.ROOT, "{\"step\":\"%s\",\"seconds\":%.3f,\"mb_per_s\":%.1f,\"sink\":%d}%n",
          step.getKey(), best, chars / 1e6 / best, sink);
    }
    System.out.printf(Locale.ROOT, "{\"load_end\":%.2f}%n", load());
  }

  private static List<String> descriptions(Path file) throws Exception {
    List<String> out = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
        StandardCharsets.UTF_8))) {
      for (String s = in.readLine(); s != null; s = in.readLine()) {
        out.add(JsonParser.parseString(s).getAsJsonObject().get("description").getAsString());
      }
    }
    return out;
  }

  private static double load() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
