package org.loradist.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.Main;
import org.loradist.jobs.output.Manifest;
import org.loradist.pipelines.chunk.TextChunker;

/**
 * prep throughput (MB/s of input text) on 2 cores for the debian-packages train split and the PostgreSQL manual, at
 * 1x, 2x and 4x the input (slices of 1/4, 1/2 and all of each corpus), with the time per step from the manifest.
 * Scales above 4 (multiples of 4, debian-train only) are the whole split plus perturbed copies
 * ({@link PerturbedCopies}: about half the words of each record replaced, new ids; not near-duplicates).
 * Before the timed runs, one discarded warm-up prep on 1/64 of the debian split (JIT, first jobs, tokenizer load).
 * Peer, in the same run: Spark reading the same files as plain text and counting lines (the I/O floor).
 * Per run also: the Spark jobs, stages and tasks of each prep step (jobs are labelled by PrepPipeline), the chunker
 * alone on the written docs (noop sink: splits chunk_write into compute and write), the load average, and at the
 * end the marginal MB/s between the smallest and the largest scale (the per-MB cost with the fixed cost taken out).
 * Usage: PrepBench SHARED_DATA_DIR [WORK_DIR]; -Dprepbench.scales=1,4,16 -Dprepbench.corpus=debian-train|
 * postgresql-manual -Dprepbench.jobs=true (one line per Spark job) -Dprepbench.warmup=false (no warm-up).
 * Prints one JSON line per figure.
 */
public final class PrepBench {
  public static void main(String[] args) throws Exception {
    Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
    Path work = Files.createDirectories(Path.of(args.length > 1 ? args[1] : "target/prep-bench"));
    List<String> debian = readLines(data.resolve("debian-packages/train.jsonl.gz"));
    Path pages = extractManual(data.resolve("postgresql-docs/postgresql-15-html.tar.gz"), work.resolve("pg"));
    List<Path> html;
    try (var s = Files.list(pages)) {
      html = s.filter(p -> p.toString().endsWith(".html")).sorted().toList();
    }
    String only = System.getProperty("prepbench.corpus", "");
    int[] scales = java.util.Arrays.stream(System.getProperty("prepbench.scales", "1,2,4").split(","))
        .mapToInt(Integer::parseInt).toArray();
    // Discarded warm-up: JIT, the first Spark jobs and the tokenizer load would otherwise land on the first timed
    // scale and bend the marginal figure.
    if (Boolean.parseBoolean(System.getProperty("prepbench.warmup", "true"))) {
      Path warm = Files.createDirectories(work.resolve("warmup"));
      writeLines(warm.resolve("train.jsonl"), debian.subList(0, debian.size() / 64));
      long tw = System.nanoTime();
      prep(warm, work.resolve("out-warmup"), "--text-field", "description", "--id-field", "package");
      System.err.printf("warm-up prep (%d records) took %.2f s (not reported)%n", debian.size() / 64,
          (System.nanoTime() - tw) / 1e9);
    }
    PerturbedCopies copies = null;
    for (int scale : scales) {
      Path in = Files.createDirectories(work.resolve("debian-" + scale));
      Path file = in.resolve("train.jsonl");
      if (scale <= 4) {
        writeLines(file, debian.subList(0, debian.size() * scale / 4));
      } else {
        // Above 4x: the whole split plus perturbed copies (not near-duplicates of it nor of each other).
        if (scale % 4 != 0) {
          throw new IllegalArgumentException("prepbench.scales above 4 must be multiples of 4: " + scale);
        }
        if (copies == null) {
          copies = new PerturbedCopies(debian, "package", "description", "source", 4242L);
        }
        List<String> lines = new ArrayList<>(debian);
        for (int k = 1; k < scale / 4; k++) {
          lines.addAll(copies.copy(k));
        }
        writeLines(file, lines);
      }
      if (!only.equals("postgresql-manual")) {
        run("debian-train", scale, in, Files.size(file), work, "--text-field", "description", "--id-field", "package");
      }
      if (scale > 4) {
        System.err.println("postgresql-manual has no scale above 4 (perturbed copies are built for debian-train)");
        continue;
      }
      Path hin = Files.createDirectories(work.resolve("pg-" + scale));
      long bytes = 0;
      for (Path p : html.subList(0, html.size() * scale / 4)) {
        Path target = hin.resolve(p.getFileName());
        if (!Files.exists(target)) {
          Files.copy(p, target);
        }
        bytes += Files.size(target);
      }
      if (!only.equals("debian-train")) {
        run("postgresql-manual", scale, hin, bytes, work);
      }
    }
    marginal();
  }

  /** corpus -> scale -> {MB, seconds} */
  private static final Map<String, java.util.TreeMap<Integer, double[]>> RESULTS = new java.util.TreeMap<>();

  /** The per-MB cost with the fixed cost taken out, between the smallest and the largest scale run. */
  private static void marginal() {
    RESULTS.forEach((corpus, byScale) -> {
      if (byScale.size() < 2) {
        return;
      }
      int lo = byScale.firstKey();
      int hi = byScale.lastKey();
      double[] small = byScale.get(lo);
      double[] large = byScale.get(hi);
      double dMb = large[0] - small[0];
      double dS = large[1] - small[1];
      System.out.printf("{\"figure\":\"prep_marginal\",\"corpus\":\"%s\",\"from_scale\":%d,\"to_scale\":%d,"
              + "\"extra_mb\":%.2f,\"extra_seconds\":%.2f,\"marginal_mb_per_s\":%.2f,"
              + "\"fixed_seconds_estimate\":%.2f}%n",
          corpus, lo, hi, dMb, dS, dS > 0 ? dMb / dS : Double.POSITIVE_INFINITY, small[1] - small[0] * dS / dMb);
    });
  }

  private static void writeLines(Path file, List<String> lines) throws Exception {
    try (Writer w = Files.newBufferedWriter(file)) {
      for (String l : lines) {
        w.write(l);
        w.write('\n');
      }
    }
  }

  /** One untimed prep run in its own session (the warm-up). */
  private static void prep(Path input, Path out, String... flags) throws Exception {
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8").getOrCreate();
    try {
      deleteRecursively(out);
      List<String> cli = new ArrayList<>(List.of("prep", "--input", input.toString(), "--output", out.toString()));
      cli.addAll(List.of(flags));
      if (Main.run(cli.toArray(String[]::new), System.out, System.err) != 0) {
        throw new IllegalStateException("warm-up prep failed");
      }
    } finally {
      spark.stop();
    }
  }

  private static void deleteRecursively(Path dir) throws Exception {
    if (Files.exists(dir)) {
      try (var s = Files.walk(dir)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static void run(String corpus, int scale, Path input, long bytes, Path work, String... flags)
      throws Exception {
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8").getOrCreate();
    JobTimeline timeline = new JobTimeline();
    spark.sparkContext().addSparkListener(timeline);
    try {
      long t0 = System.nanoTime();
      long lines = spark.read().text(input.toString()).count();
      double peer = (System.nanoTime() - t0) / 1e9;
      Path out = work.resolve("out-" + corpus + "-" + scale);
      deleteRecursively(out);
      List<String> cli = new ArrayList<>(List.of("prep", "--input", input.toString(), "--output", out.toString()));
      cli.addAll(List.of(flags));
      var os = (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      double load = os.getSystemLoadAverage();
      int firstJob = timeline.jobs().size();
      long cpu0 = os.getProcessCpuTime();
      long t1 = System.nanoTime();
      int rc = Main.run(cli.toArray(String[]::new), System.out, System.err);
      double secs = (System.nanoTime() - t1) / 1e9;
      // CPU seconds of the whole JVM (both cores, GC included): steadier than wall time on a shared host.
      double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
      if (rc != 0) {
        throw new IllegalStateException("prep failed for " + corpus);
      }
      // Chunking alone (tokenise + split, no sort, no write): splits the chunk_write step into compute and write.
      long t2 = System.nanoTime();
      new TextChunker().transform(spark.read().parquet(out.resolve("docs").toString()))
          .write().format("noop").mode("overwrite").save();
      double chunkOnly = (System.nanoTime() - t2) / 1e9;
      spark.sparkContext().listenerBus().waitUntilEmpty();
      Map<String, Object> m = Manifest.read(Files.readString(out.resolve("_manifest.json")));
      double mb = bytes / 1e6;
      RESULTS.computeIfAbsent(corpus, k -> new java.util.TreeMap<>()).put(scale, new double[] {mb, secs});
      System.out.printf("{\"figure\":\"prep_throughput\",\"corpus\":\"%s\",\"scale\":%d,\"input_mb\":%.2f,"
              + "\"seconds\":%.2f,\"mb_per_s\":%.2f,\"cpu_s\":%.2f,\"load_avg\":%.1f,\"peer\":\"spark text read+count (%d lines)\","
              + "\"peer_seconds\":%.2f,\"steps_s\":%s,\"chunk_compute_only_s\":%.2f,\"counts\":%s}%n",
          corpus, scale, mb, secs, mb / secs, cpu, load, lines, peer, json(m.get("timings_s")), chunkOnly,
          json(m.get("counts")));
      List<JobTimeline.Job> jobs = timeline.jobs().subList(firstJob, timeline.jobs().size()).stream()
          .filter(j -> j.step().startsWith("prep:") || j.step().equals("(none)")).toList();
      Map<String, double[]> steps = new java.util.LinkedHashMap<>();
      for (JobTimeline.Job j : jobs) {
        double[] a = steps.computeIfAbsent(j.step(), k -> new double[4]);
        a[0]++;
        a[1] += j.stagesRun();
        a[2] += j.tasks();
        a[3] += j.seconds();
      }
      StringBuilder b = new StringBuilder();
      steps.forEach((step, a) -> b.append(b.length() == 0 ? "" : ",").append(String.format(
          "\"%s\":{\"jobs\":%d,\"stages\":%d,\"tasks\":%d,\"job_s\":%.2f}", step, (int) a[0], (int) a[1],
          (int) a[2], a[3])));
      System.out.printf("{\"figure\":\"prep_spark_jobs\",\"corpus\":\"%s\",\"scale\":%d,\"steps\":{%s}}%n",
          corpus, scale, b);
      if (Boolean.getBoolean("prepbench.jobs")) {
        for (JobTimeline.Job j : jobs) {
          System.out.printf("  job %d %-18s %-70s stages=%d tasks=%d %.2fs%n", j.id(), j.step(), j.callSite(),
              j.stagesRun(), j.tasks(), j.seconds());
        }
      }
    } finally {
      spark.stop();
    }
  }

  private static String json(Object o) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(o);
  }

  private static List<String> readLines(Path gz) throws Exception {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.UTF_8))) {
      return r.lines().toList();
    }
  }

  private static Path extractManual(Path tarGz, Path into) throws Exception {
    Path html = into.resolve("html");
    if (!Files.isDirectory(html)) {
      Files.createDirectories(into);
      Process p = new ProcessBuilder("tar", "-xzf", tarGz.toAbsolutePath().toString(), "-C", into.toString())
          .inheritIO().start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("cannot extract " + tarGz);
      }
    }
    return html;
  }

  private PrepBench() {}
}
