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

/**
 * prep throughput (MB/s of input text) on 2 cores for the debian-packages train split and the PostgreSQL manual, at
 * 1x, 2x and 4x the input (slices of 1/4, 1/2 and all of each corpus), with the time per step from the manifest.
 * Peer, in the same run: Spark reading the same files as plain text and counting lines (the I/O floor).
 * Usage: PrepBench SHARED_DATA_DIR [WORK_DIR]. Prints one JSON line per figure.
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
    for (int scale : new int[] {1, 2, 4}) {
      Path in = Files.createDirectories(work.resolve("debian-" + scale));
      Path file = in.resolve("train.jsonl");
      try (Writer w = Files.newBufferedWriter(file)) {
        for (String l : debian.subList(0, debian.size() * scale / 4)) {
          w.write(l);
          w.write('\n');
        }
      }
      run("debian-train", scale, in, Files.size(file), work, "--text-field", "description", "--id-field", "package");
      Path hin = Files.createDirectories(work.resolve("pg-" + scale));
      long bytes = 0;
      for (Path p : html.subList(0, html.size() * scale / 4)) {
        Path target = hin.resolve(p.getFileName());
        if (!Files.exists(target)) {
          Files.copy(p, target);
        }
        bytes += Files.size(target);
      }
      run("postgresql-manual", scale, hin, bytes, work);
    }
  }

  private static void run(String corpus, int scale, Path input, long bytes, Path work, String... flags)
      throws Exception {
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8").getOrCreate();
    try {
      long t0 = System.nanoTime();
      long lines = spark.read().text(input.toString()).count();
      double peer = (System.nanoTime() - t0) / 1e9;
      Path out = work.resolve("out-" + corpus + "-" + scale);
      List<String> cli = new ArrayList<>(List.of("prep", "--input", input.toString(), "--output", out.toString()));
      cli.addAll(List.of(flags));
      long t1 = System.nanoTime();
      int rc = Main.run(cli.toArray(String[]::new), System.out, System.err);
      double secs = (System.nanoTime() - t1) / 1e9;
      if (rc != 0) {
        throw new IllegalStateException("prep failed for " + corpus);
      }
      Map<String, Object> m = Manifest.read(Files.readString(out.resolve("_manifest.json")));
      double mb = bytes / 1e6;
      System.out.printf("{\"figure\":\"prep_throughput\",\"corpus\":\"%s\",\"scale\":%d,\"input_mb\":%.2f,"
              + "\"seconds\":%.2f,\"mb_per_s\":%.2f,\"peer\":\"spark text read+count (%d lines)\","
              + "\"peer_seconds\":%.2f,\"steps_s\":%s,\"counts\":%s}%n",
          corpus, scale, mb, secs, mb / secs, lines, peer, json(m.get("timings_s")), json(m.get("counts")));
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
