package org.loradist.jobs.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.cluster.LocalStandaloneCluster;

/**
 * The assembly jar deployed as users deploy it: {@code deploy/bin/lora-dist-submit} runs Spark's own
 * {@code org.apache.spark.deploy.SparkSubmit} in a child JVM, which submits {@code prep} on the quickstart sample to a
 * standalone cluster (Master + 2 Workers, executors in their own JVMs) whose SPARK_HOME holds Spark alone: DJL, the
 * tokenizers natives, the default model, jsoup and lora-dist's own classes reach the executors only inside the jar.
 */
class SparkSubmitIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path ASSEMBLY = Path.of("target/lora-dist-assembly.jar").toAbsolutePath();
  static final Path SAMPLE = ROOT.resolve("samples/quickstart");
  static final Duration JOB_TIMEOUT = Duration.ofMinutes(6);

  @TempDir
  Path tmp;

  @Test
  void prepRunsOnTheStandaloneClusterFromTheAssemblyJar() throws Exception {
    assertThat(ASSEMBLY).as("the assembly jar (built in `package`; not with -Dassembly.skip=true)").isRegularFile();
    Set<String> bundled = entries(ASSEMBLY);
    Path out = tmp.resolve("prep");
    Path submitLog = tmp.resolve("submit.log");

    try (LocalStandaloneCluster cluster = LocalStandaloneCluster.start(Path.of("target/it-clusters"),
        jar -> !sharesContent(jar, bundled), 2, 1, "1g")) {
      assertThat(jarNames(cluster.sparkHome())).as("Spark home").anyMatch(n -> n.startsWith("spark-core_"))
          .noneMatch(n -> n.startsWith("api-0.36") || n.startsWith("tokenizers-") || n.startsWith("pipelines-")
              || n.startsWith("lora-dist-") || n.startsWith("jsoup-") || n.startsWith("pytorch-"));

      List<String> command = List.of(ROOT.resolve("deploy/bin/lora-dist-submit").toString(),
          "--master", cluster.masterUrl(),
          "--conf", "spark.driver.host=127.0.0.1",
          "--conf", "spark.driver.bindAddress=127.0.0.1",
          "--conf", "spark.ui.enabled=false",
          "--conf", "spark.cores.max=2",
          "--conf", "spark.executor.cores=1",
          "--conf", "spark.executor.memory=1g",
          "prep", "--conf", ROOT.resolve("conf/quickstart.conf").toString(),
          "--input", SAMPLE.resolve("debian-packages.jsonl.gz") + "," + SAMPLE.resolve("html"),
          "--output", out.toString());
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(submitLog.toFile());
      Map<String, String> env = pb.environment();
      env.keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("LORA_DIST_"));
      env.put("SPARK_HOME", cluster.sparkHome().toString()); // jars/ only: SparkSubmit runs as `java -cp jars/*`
      env.put("LORA_DIST_JAR", ASSEMBLY.toString());
      env.put("LORA_DIST_DRIVER_MEMORY", "1g");
      env.put("JAVA_HOME", System.getProperty("java.home"));
      env.put("SPARK_LOCAL_IP", "127.0.0.1");
      Process submit = pb.start();
      boolean finished = submit.waitFor(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (!finished) {
        submit.destroyForcibly().waitFor();
      }
      String log = Files.readString(submitLog);
      assertThat(finished).as("spark-submit finished within " + JOB_TIMEOUT + "; log tail:\n" + tail(log)).isTrue();
      assertThat(submit.exitValue()).as("spark-submit exit status; log tail:\n" + tail(log)).isZero();
      assertThat(log).contains("lora-dist prep: ").contains("-> file:" + out);

      // The job ran in the cluster's executors, one per Worker, which fetched the assembly from the driver.
      List<Path> executorLogs = executorLogs(cluster.clusterDir());
      assertThat(executorLogs).hasSize(2);
      for (Path stderr : executorLogs) {
        String executorLog = Files.readString(stderr);
        assertThat(executorLog).as(stderr.toString())
            .contains("-Dai.djl.offline=true").contains("lora-dist-assembly.jar").contains("Running task");
      }
    }

    assertThat(out.resolve("_SUCCESS")).exists();
    for (String part : List.of("docs", "chunks", "rejects", "duplicates")) {
      assertThat(parquetFiles(out.resolve(part))).as(part).isNotEmpty();
    }
    JsonNode counts = new ObjectMapper().readTree(out.resolve("_manifest.json").toFile()).path("counts");
    long records = countLines(SAMPLE.resolve("debian-packages.jsonl.gz")) + countFiles(SAMPLE.resolve("html"), ".html");
    assertThat(counts.path("records_in").asLong()).isEqualTo(records);
    assertThat(counts.path("docs").asLong()).isPositive();
    assertThat(counts.path("chunks").asLong()).isGreaterThanOrEqualTo(counts.path("docs").asLong());
    assertThat(counts.path("docs").asLong() + counts.path("rejected").asLong() + counts.path("deduplicated").asLong())
        .isEqualTo(records);
  }

  /** File entries of a jar outside META-INF/: what identifies the classes and resources it brings. */
  static Set<String> entries(Path jar) {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      Set<String> names = new HashSet<>();
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        if (!entry.isDirectory() && !entry.getName().startsWith("META-INF/")) {
          names.add(entry.getName());
        }
      }
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + jar, e);
    }
  }

  /**
   * A classpath jar belongs to the application when the assembly carries one of its class files or resources
   * outside META-INF/: then the executors must get it from the assembly, not from SPARK_HOME.
   */
  static boolean sharesContent(Path jar, Set<String> bundled) {
    return entries(jar).stream().anyMatch(bundled::contains);
  }

  private static List<String> jarNames(Path sparkHome) throws IOException {
    try (Stream<Path> jars = Files.list(sparkHome.resolve("jars"))) {
      return jars.map(p -> p.getFileName().toString()).collect(Collectors.toList());
    }
  }

  private static List<Path> executorLogs(Path clusterDir) throws IOException {
    try (Stream<Path> files = Files.walk(clusterDir)) {
      return files.filter(p -> p.getFileName().toString().equals("stderr"))
          .filter(p -> p.getParent().getParent().getFileName().toString().startsWith("app-"))
          .sorted().collect(Collectors.toList());
    }
  }

  private static List<Path> parquetFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".parquet")).collect(Collectors.toList());
    }
  }

  private static long countLines(Path gz) throws IOException {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.UTF_8))) {
      return r.lines().filter(l -> !l.isBlank()).count();
    }
  }

  private static long countFiles(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
    }
  }

  private static String tail(String log) {
    List<String> lines = new ArrayList<>(log.lines().toList());
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
