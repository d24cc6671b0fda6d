package org.loradist.pipelines.clean;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The cleaning stage over the whole debian-packages dev split (7,032 descriptions): what the defaults reject, what
 * the redactor finds, and a single-thread throughput figure (printed, not asserted: the machine is shared). Run
 * {@code mvn -pl pipelines -am test -Dtest=CleaningOnDebianDevTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class CleaningOnDebianDevTest {
  private static final QualityConfig D = QualityConfig.DEFAULTS;
  private static final QualityConfig N = QualityConfig.NONE;

  /** Each default rule alone, so that the count per rule is not hidden by rule order. */
  private static final Map<String, QualityConfig> SINGLE_RULES = new LinkedHashMap<>();

  static {
    SINGLE_RULES.put(QualityFilter.TOO_LONG, new QualityConfig(0, D.maxChars(), 0, 0, 0, N.maxMeanWordLength(), 1, 1));
    SINGLE_RULES.put(QualityFilter.TOO_SHORT, new QualityConfig(D.minChars(), N.maxChars(), 0, 0, 0,
        N.maxMeanWordLength(), 1, 1));
    SINGLE_RULES.put(QualityFilter.TOO_FEW_WORDS, new QualityConfig(0, N.maxChars(), D.minWords(), 0, 0,
        N.maxMeanWordLength(), 1, 1));
    SINGLE_RULES.put(QualityFilter.LOW_ALPHA_RATIO, new QualityConfig(0, N.maxChars(), 0, D.minAlphaRatio(), 0,
        N.maxMeanWordLength(), 1, 1));
    SINGLE_RULES.put(QualityFilter.SYMBOL_RATIO, new QualityConfig(0, N.maxChars(), 0, 0, 0,
        N.maxMeanWordLength(), 1, D.maxSymbolRatio()));
    SINGLE_RULES.put(QualityFilter.MEAN_WORD_LENGTH, new QualityConfig(0, N.maxChars(), 0, 0,
        D.minMeanWordLength(), D.maxMeanWordLength(), 1, 1));
    SINGLE_RULES.put(QualityFilter.REPEATED_LINES, new QualityConfig(0, N.maxChars(), 0, 0, 0,
        N.maxMeanWordLength(), D.maxRepeatedLineFraction(), 1));
  }

  @Test
  void defaultsKeepEssentiallyAllDescriptionsAndRedactOnlyRealPii() {
    List<DebianData.Package> packages = DebianData.load("dev", Integer.MAX_VALUE);
    assertThat(packages).hasSize(7_032);
    DocumentCleaner cleaner = new DocumentCleaner(CleanerSettings.DEFAULTS);
    TextNormalizer normalizer = new TextNormalizer();

    Map<String, Integer> rejects = new TreeMap<>();
    Map<String, Integer> aloneRejects = new LinkedHashMap<>();
    Map<String, Integer> pii = new TreeMap<>();
    List<String> samples = new ArrayList<>();
    for (DebianData.Package p : packages) {
      CleanedDocument doc = cleaner.clean(p.description());
      if (!doc.kept()) {
        rejects.merge(doc.rejectReason(), 1, Integer::sum);
      }
      String normalized = normalizer.normalize(p.description());
      SINGLE_RULES.forEach((reason, config) -> {
        if (new QualityFilter(config).rejectReason(normalized) != null) {
          aloneRejects.merge(reason, 1, Integer::sum);
        }
      });
      doc.pii().forEach((type, n) -> pii.merge(type, n, Integer::sum));
      for (PiiType type : PiiType.values()) {
        // Every count is a placeholder in the text, and the other way round.
        assertThat(occurrences(doc.text(), type.placeholder()) - occurrences(normalized, type.placeholder()))
            .as("%s %s", p.name(), type).isEqualTo(doc.pii().getOrDefault(type.key(), 0));
      }
      if (!doc.pii().isEmpty() && samples.size() < 12) {
        samples.add(p.name() + ": " + context(doc.text()));
      }
    }
    System.out.printf("debian dev: %d docs, quality rejects (first failing rule) %s, each rule alone %s%n",
        packages.size(), rejects, aloneRejects);
    System.out.printf("debian dev: PII redactions %s; sample:%n  %s%n", pii, String.join("\n  ", samples));

    int rejected = rejects.values().stream().mapToInt(Integer::intValue).sum();
    assertThat(rejected).as("defaults keep essentially all (< 0.1%%) of the descriptions").isLessThan(7);
    // Checked by hand: the dev descriptions hold upstream e-mail addresses and a few example IPs, and no phone
    // number, card number or IBAN; a hit of those types would be a false positive.
    assertThat(pii.keySet()).doesNotContain("phone", "card", "iban");
    assertThat(pii.getOrDefault("email", 0)).isPositive();
  }

  @Test
  void throughputSingleThread() {
    List<DebianData.Package> packages = DebianData.load("dev", Integer.MAX_VALUE);
    List<String> texts = packages.stream().map(DebianData.Package::description).toList();
    long bytes = texts.stream().mapToLong(t -> t.getBytes(StandardCharsets.UTF_8).length).sum();
    DocumentCleaner cleaner = new DocumentCleaner(CleanerSettings.DEFAULTS);
    TextNormalizer normalizer = new TextNormalizer();
    PiiRedactor redactor = PiiRedactor.all();
    long sink = 0;
    for (int warm = 0; warm < 5; warm++) {
      for (String t : texts) {
        sink += cleaner.clean(t).chars();
      }
    }
    int rounds = 5;
    long[] nanos = new long[5];
    for (int round = 0; round < rounds; round++) {
      long t0 = cpuNanos();
      for (String t : texts) {
        sink += cleaner.clean(t).chars();
      }
      long t1 = cpuNanos();
      for (String t : texts) {
        sink += normalizer.normalize(t).length();
      }
      long t2 = cpuNanos();
      for (String t : texts) {
        sink += redactor.redact(t).text().length();
      }
      long t3 = cpuNanos();
      for (String t : texts) {
        sink += QualityFilter.measure(t).words();
      }
      long t4 = cpuNanos();
      for (String t : texts) {
        sink += ContentHash.of(t).length();
      }
      long t5 = cpuNanos();
      long[] parts = {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4};
      for (int k = 0; k < parts.length; k++) {
        nanos[k] = round == 0 ? parts[k] : Math.min(nanos[k], parts[k]);
      }
    }
    String[] names = {"clean (all)", "normalize", "redact", "quality", "hash"};
    StringBuilder line = new StringBuilder();
    for (int k = 0; k < names.length; k++) {
      line.append(String.format("%s %.1f MB/s  ", names[k], bytes / 1e6 / (nanos[k] / 1e9)));
    }
    System.out.printf("debian dev throughput, 1 thread (CPU time), best of %d over %.2f MB: %s%n", rounds,
        bytes / 1e6, line);
    assertThat(sink).isPositive();
  }

  /**
   * This thread's CPU time: on a shared machine (other builds running) wall time mostly measures the queue for a
   * core; CPU time is closer to what the code costs.
   */
  private static long cpuNanos() {
    return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static int occurrences(String text, String needle) {
    int count = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
      count++;
    }
    return count;
  }

  private static String context(String text) {
    int at = text.indexOf('[');
    while (at >= 0 && !text.startsWith("[EMAIL]", at) && !text.startsWith("[IPV", at)) {
      at = text.indexOf('[', at + 1);
    }
    int from = Math.max(0, at - 40);
    return text.substring(from, Math.min(text.length(), at + 50)).replace('\n', ' ');
  }
}
