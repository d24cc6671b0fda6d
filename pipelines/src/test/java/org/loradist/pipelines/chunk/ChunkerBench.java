package org.loradist.pipelines.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loradist.text.TextTokenizer;

/**
 * Not part of the normal test pass (the name does not match surefire's patterns); run it with
 * {@code mvn -B -q -pl pipelines -am test -Dtest=ChunkerBench -Dsurefire.failIfNoSpecifiedTests=false}.
 * Chunking throughput on the whole PostgreSQL manual (rendered once, outside the timing) with one thread per core
 * (-Dbench.threads=N to change). Reports wall-clock MB/s and, because the machine may be shared, also MB per
 * CPU-second of the chunking threads (times the thread count: what N idle cores would give).
 */
class ChunkerBench {
  @Test
  void chunkingThroughputOnThePostgresManual() throws Exception {
    List<String> texts = new ArrayList<>(PgManual.pages(name -> true).values());
    long bytes = 0;
    for (String t : texts) {
      bytes += t.getBytes(StandardCharsets.UTF_8).length;
    }
    int threads = Integer.getInteger("bench.threads", Runtime.getRuntime().availableProcessors());
    try (TextTokenizer tokenizer = TextTokenizer.defaultModel()) {
      Chunker plainJava = new Chunker(tokenizer, ChunkConfig.defaults());
      Chunker huggingFace = new Chunker(tokenizer, ChunkConfig.defaults(), false);
      System.out.printf("PostgreSQL manual: %d pages, %.2f MB UTF-8, %d threads%n", texts.size(), bytes / 1e6, threads);
      for (int round = 0; round < 3; round++) {
        run("plain-Java spans", plainJava, texts, bytes, threads);
      }
      if (!Boolean.getBoolean("bench.skipHf")) {
        run("Hugging Face spans", huggingFace, texts, bytes, threads);
      }
    }
  }

  private static void run(String label, Chunker chunker, List<String> texts, long bytes, int threads)
      throws InterruptedException {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long[] chunks = new long[threads];
    long[] cpuNanos = new long[threads];
    List<Thread> workers = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int w = 0; w < threads; w++) {
      int id = w;
      Thread th = new Thread(() -> {
        long c0 = mx.getCurrentThreadCpuTime();
        for (int d = id; d < texts.size(); d += threads) {
          chunks[id] += chunker.chunk(texts.get(d)).size();
        }
        cpuNanos[id] = mx.getCurrentThreadCpuTime() - c0;
      });
      workers.add(th);
      th.start();
    }
    for (Thread th : workers) {
      th.join();
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    long total = 0;
    double cpu = 0;
    for (int w = 0; w < threads; w++) {
      total += chunks[w];
      cpu += cpuNanos[w] / 1e9;
    }
    System.out.printf("%s: %d chunks, wall %.2f s = %.1f MB/s; CPU %.2f s = %.1f MB/s per core, x%d = %.1f MB/s%n",
        label, total, wall, bytes / 1e6 / wall, cpu, bytes / 1e6 / cpu, threads, threads * bytes / 1e6 / cpu);
    assertThat(total).isGreaterThan(texts.size());
  }
}
