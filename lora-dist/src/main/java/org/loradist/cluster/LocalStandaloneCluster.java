package org.loradist.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * A real Spark standalone cluster on 127.0.0.1: one Master and N Workers, each in its own child JVM,
 * whose executors are again separate JVMs. Made for tests and benchmarks that must see real
 * multi-JVM behaviour (serialization, executor loss) on one machine.
 *
 * <p>No Spark distribution is needed: the cluster builds its own SPARK_HOME whose {@code jars/} holds
 * symbolic links to the jars of this JVM's {@code java.class.path} (Spark is among them, as a
 * {@code provided} dependency on the test classpath). Daemon logs go to {@code logs/} in the
 * cluster directory; executor logs to {@code worker-N/app-.../ID/stderr}.
 *
 * <p>Use it with try-with-resources; a JVM shutdown hook also stops every daemon by PID, but a
 * {@code kill -9} of this JVM leaves the daemons running (nothing on this side can prevent that).
 */
public final class LocalStandaloneCluster implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int MASTER_START_ATTEMPTS = 3;
  private static final int LOG_TAIL_LINES = 60;
  /** Spark's own size syntax (JavaUtils.byteStringAs): digits, then an optional unit. */
  private static final Pattern MEMORY = Pattern.compile("[0-9]+([kmgtp]b?|b)?", Pattern.CASE_INSENSITIVE);
  private static final String EXECUTOR_MAIN = "org.apache.spark.executor.CoarseGrainedExecutorBackend";

  private final Path clusterDir;
  private final boolean ownsClusterDir;
  private final Path sparkHome;
  private final int workers;
  private final int coresPerWorker;
  private final String workerMemory;
  private final Predicate<Path> sparkHomeJars;
  private final List<Daemon> daemons = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::close, "local-standalone-cluster-stop");
  private String masterUrl;
  private int masterWebUiPort;
  private boolean closed;

  /** One child JVM (Master or Worker) and the file its stdout and stderr go to. */
  private record Daemon(String name, Process process, Path log) {}

  private LocalStandaloneCluster(Path clusterDir, boolean ownsClusterDir, int workers, int coresPerWorker,
      String workerMemory, Predicate<Path> sparkHomeJars) {
    // Absolute: the daemons run with the cluster dir as working directory.
    this.clusterDir = clusterDir.toAbsolutePath();
    this.ownsClusterDir = ownsClusterDir;
    this.sparkHome = this.clusterDir.resolve("spark-home");
    this.workers = workers;
    this.coresPerWorker = coresPerWorker;
    this.workerMemory = workerMemory;
    this.sparkHomeJars = sparkHomeJars;
  }

  /** Starts a cluster in a fresh temporary directory, which {@link #close()} deletes. */
  public static LocalStandaloneCluster start(int workers, int coresPerWorker, String workerMemory) {
    checkArguments(workers, coresPerWorker, workerMemory);
    try {
      return start(Files.createTempDirectory("lora-dist-cluster-"), true, workers, coresPerWorker, workerMemory,
          jar -> true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the Spark cluster", e);
    }
  }

  /**
   * Starts a cluster in a new directory {@code cluster-*} under {@code baseDir} (created if missing),
   * which is kept after {@link #close()} so its logs can be read.
   *
   * @param workers number of Worker JVMs (at least 1)
   * @param coresPerWorker cores each Worker offers (at least 1)
   * @param workerMemory memory each Worker offers, in Spark's syntax ("1g", "512m"); also used as
   *     {@code spark.executor.memory} by {@link #sparkConfForApp()}, so each Worker runs one executor
   */
  public static LocalStandaloneCluster start(Path baseDir, int workers, int coresPerWorker, String workerMemory) {
    return start(baseDir, jar -> true, workers, coresPerWorker, workerMemory);
  }

  /**
   * As {@link #start(Path, int, int, String)}, with only the classpath jars that {@code sparkHomeJars} accepts in
   * SPARK_HOME/jars. Leaving out the application's own jars gives executors what a real cluster gives them (Spark
   * alone), so that an application jar submitted with spark-submit is tested for what it carries itself.
   */
  public static LocalStandaloneCluster start(Path baseDir, Predicate<Path> sparkHomeJars, int workers,
      int coresPerWorker, String workerMemory) {
    checkArguments(workers, coresPerWorker, workerMemory);
    try {
      Files.createDirectories(baseDir);
      return start(Files.createTempDirectory(baseDir, "cluster-"), false, workers, coresPerWorker, workerMemory,
          sparkHomeJars);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a cluster directory under " + baseDir, e);
    }
  }

  private static void checkArguments(int workers, int coresPerWorker, String workerMemory) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
    if (coresPerWorker < 1) {
      throw new IllegalArgumentException("coresPerWorker must be at least 1, got " + coresPerWorker);
    }
    if (workerMemory == null || !MEMORY.matcher(workerMemory).matches()) {
      throw new IllegalArgumentException("workerMemory must be a size like 512m or 1g, got '" + workerMemory + "'");
    }
  }

  private static LocalStandaloneCluster start(Path clusterDir, boolean owned, int workers, int coresPerWorker,
      String workerMemory, Predicate<Path> sparkHomeJars) {
    LocalStandaloneCluster cluster = new LocalStandaloneCluster(clusterDir, owned, workers, coresPerWorker,
        workerMemory, sparkHomeJars);
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.boot();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  private void boot() {
    prepareSparkHome();
    startMaster();
    for (int i = 1; i <= workers; i++) {
      register(launch("worker-" + i, "org.apache.spark.deploy.worker.Worker", List.of(
          "--host", HOST, "--port", "0", "--webui-port", "0",
          "--cores", Integer.toString(coresPerWorker), "--memory", workerMemory,
          "--work-dir", clusterDir.resolve("worker-" + i).toString(), masterUrl)));
    }
    awaitMaster(json -> json.path("aliveworkers").asInt(-1) == workers,
        "all " + workers + " workers to register with the master");
  }

  /** The master URL to give a driver, {@code spark://127.0.0.1:PORT}. */
  public String masterUrl() {
    return masterUrl;
  }

  /** The Master's web UI, whose {@code /json/} shows workers, applications and executors. */
  public String masterWebUiUrl() {
    return "http://" + HOST + ":" + masterWebUiPort;
  }

  /** The directory holding this cluster's SPARK_HOME, logs and worker work dirs. */
  public Path clusterDir() {
    return clusterDir;
  }

  public Path sparkHome() {
    return sparkHome;
  }

  public int workers() {
    return workers;
  }

  public int coresPerWorker() {
    return coresPerWorker;
  }

  public String workerMemory() {
    return workerMemory;
  }

  /**
   * The client-mode settings for a driver in this JVM: master URL, driver bound to 127.0.0.1, no UI,
   * all cores of the cluster in executors of one Worker each, and {@code spark.executor.extraClassPath}
   * set to this JVM's classpath so executors load the project's classes and all dependencies
   * without an application jar. That shortcut only holds because every JVM shares this machine's
   * files; on a real cluster ship the assembly jar ({@code spark.jars} / spark-submit) instead.
   * The caller adds its app name and job settings.
   */
  public SparkConf sparkConfForApp() {
    return new SparkConf()
        .setMaster(masterUrl)
        .set("spark.driver.host", HOST)
        .set("spark.driver.bindAddress", HOST)
        .set("spark.ui.enabled", "false")
        .set("spark.cores.max", Integer.toString(workers * coresPerWorker))
        .set("spark.executor.cores", Integer.toString(coresPerWorker))
        .set("spark.executor.memory", workerMemory)
        .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        // DJL must never try to download natives on an executor; they ship in the jars.
        .set("spark.executor.extraJavaOptions", "-Dai.djl.offline=true");
  }

  /**
   * Waits until {@code sc} has at least {@code executors} registered executors (the driver not
   * counted); without this a first job may run all its tasks on whichever executor came first.
   *
   * @throws IllegalStateException on timeout, with the tails of the daemon and executor logs
   */
  public void awaitExecutors(SparkContext sc, int executors, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int registered;
    while ((registered = sc.statusTracker().getExecutorInfos().length - 1) < executors) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + registered + " of " + executors + " executors registered with "
            + "the driver after " + timeout.toSeconds() + " s\n" + logTails(true));
      }
      sleep(100);
    }
  }

  public long masterPid() {
    return daemons.get(0).process().pid();
  }

  /** PIDs of the Worker JVMs, in start order. */
  public List<Long> workerPids() {
    return workerDaemons().map(d -> d.process().pid()).collect(Collectors.toList());
  }

  /** PIDs of the live executor JVMs (children of the Workers), sorted. */
  public List<Long> executorPids() {
    return executorHandles().map(ProcessHandle::pid).sorted().collect(Collectors.toList());
  }

  /**
   * Kills one executor JVM with SIGKILL ({@code kill -9}), as a crash would, and waits until it is gone.
   * Its Worker then reports the loss and launches a replacement.
   *
   * @throws IllegalArgumentException if {@code pid} is not a live executor of this cluster
   */
  public void killExecutor(long pid) {
    ProcessHandle executor = executorHandles().filter(h -> h.pid() == pid).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("pid " + pid + " is not a live executor of this cluster "
            + "(executors: " + executorPids() + ")"));
    executor.destroyForcibly();
    awaitExit(executor, STOP_GRACE);
    if (executor.isAlive()) {
      throw new IllegalStateException("executor " + pid + " still alive " + STOP_GRACE.toSeconds()
          + " s after SIGKILL");
    }
  }

  /**
   * Stops the Master, then the Workers and their executors, then any other process still running
   * from this cluster's directory: SIGTERM, and SIGKILL for any still alive after a grace period.
   * Idempotent; also runs from a shutdown hook.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already exiting; the hook's own call to close() returns at once
      }
    }
    // The Master first, so that no Worker is told to launch a replacement executor while stopping.
    if (!daemons.isEmpty()) {
      stop(List.of(daemons.get(0).process().toHandle()));
    }
    // Note the executors before their Workers go: then they are no one's children any more.
    List<ProcessHandle> executors = executorHandles().collect(Collectors.toList());
    stop(workerDaemons().map(d -> d.process().toHandle()).collect(Collectors.toList()));
    stop(executors);
    // Last, anything else still running from this cluster's SPARK_HOME (an executor launched mid-stop).
    stop(leftoverPids().stream().map(ProcessHandle::of).flatMap(java.util.Optional::stream)
        .collect(Collectors.toList()));
    if (ownsClusterDir) {
      deleteRecursively(clusterDir);
    }
  }

  private static void stop(List<ProcessHandle> processes) {
    processes.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + STOP_GRACE.toNanos();
    for (ProcessHandle p : processes) {
      awaitExit(p, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    for (ProcessHandle p : processes) {
      if (p.isAlive()) {
        p.destroyForcibly();
        awaitExit(p, STOP_GRACE);
      }
    }
  }

  private static void awaitExit(ProcessHandle p, Duration timeout) {
    try {
      p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException stillAlive) {
      // the caller decides what to do with a survivor
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot wait for process " + p.pid(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Stream<Daemon> workerDaemons() {
    return daemons.stream().filter(d -> d.name().startsWith("worker-"));
  }

  private Stream<ProcessHandle> executorHandles() {
    return workerDaemons()
        .flatMap(d -> d.process().toHandle().children())
        .filter(ProcessHandle::isAlive)
        .filter(h -> commandLine(h).map(c -> c.contains(EXECUTOR_MAIN)).orElse(true));
  }

  /**
   * PIDs of live Spark processes (a command line naming an {@code org.apache.spark.} class) whose
   * command line also names this cluster's directory: its daemons and executors (whose classpath
   * holds SPARK_HOME). Empty after {@link #close()}; tests use it to
   * prove that nothing leaked.
   */
  public List<Long> leftoverPids() {
    return leftoverPids(clusterDir);
  }

  /** As {@link #leftoverPids()}, for a cluster directory whose start failed (see the exception). */
  public static List<Long> leftoverPids(Path clusterDir) {
    String dir = clusterDir.toAbsolutePath().toString();
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
        .filter(h -> h.pid() != self && h.isAlive())
        .filter(h -> commandLine(h).map(c -> c.contains(dir) && c.contains("org.apache.spark.")).orElse(false))
        .map(ProcessHandle::pid)
        .sorted()
        .collect(Collectors.toList());
  }

  /**
   * The full command line. ProcessHandle.Info cuts it at 4096 characters on Linux, and an executor's
   * classpath alone is longer, so read /proc where there is one.
   */
  private static java.util.Optional<String> commandLine(ProcessHandle process) {
    Path proc = Paths.get("/proc", Long.toString(process.pid()), "cmdline");
    try {
      if (Files.isReadable(proc)) {
        return java.util.Optional.of(new String(Files.readAllBytes(proc), StandardCharsets.UTF_8).replace('\0', ' '));
      }
    } catch (IOException gone) {
      return java.util.Optional.empty();
    }
    return process.info().commandLine();
  }

  // ---- start-up ----

  /** SPARK_HOME with jars/ linking this JVM's classpath jars, and a log4j2 config for the daemons. */
  private void prepareSparkHome() {
    List<Path> jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> e.endsWith(".jar"))
        .map(e -> Paths.get(e).toAbsolutePath())
        .filter(Files::isRegularFile)
        .filter(sparkHomeJars)
        .collect(Collectors.toList());
    if (jars.stream().noneMatch(j -> j.getFileName().toString().startsWith("spark-core_"))) {
      throw new IllegalStateException("spark-core is not on this JVM's classpath (java.class.path), so there is "
          + "nothing to build a SPARK_HOME from; add Spark as a dependency of the module that starts the cluster");
    }
    try {
      Path jarsDir = Files.createDirectories(sparkHome.resolve("jars"));
      Set<String> names = new HashSet<>();
      for (Path jar : jars) {
        String name = jar.getFileName().toString();
        // Two artifacts may share a file name; keep both under distinct link names.
        String link = names.add(name) ? name : names.size() + "-" + name;
        names.add(link);
        Files.createSymbolicLink(jarsDir.resolve(link), jar);
      }
      Path conf = Files.createDirectories(sparkHome.resolve("conf"));
      Files.writeString(conf.resolve("log4j2.properties"), String.join("\n",
          "rootLogger.level = info",
          "rootLogger.appenderRef.console.ref = console",
          "appender.console.type = Console",
          "appender.console.name = console",
          "appender.console.target = SYSTEM_ERR",
          "appender.console.layout.type = PatternLayout",
          "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex",
          "logger.jetty.name = org.sparkproject.jetty",
          "logger.jetty.level = warn",
          ""));
      Files.createDirectories(clusterDir.resolve("logs"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build SPARK_HOME under " + sparkHome, e);
    }
  }

  /**
   * The Master takes a free web UI port and an ephemeral RPC port (read back from its JSON). Port
   * retries are off, so a port taken between our probe and its bind fails loudly and we try again
   * rather than polling someone else's port.
   */
  private void startMaster() {
    for (int attempt = 1; ; attempt++) {
      masterWebUiPort = freePort();
      Daemon master = launch("master", "org.apache.spark.deploy.master.Master",
          List.of("--host", HOST, "--port", "0", "--webui-port", Integer.toString(masterWebUiPort)));
      register(master);
      try {
        JsonNode state = awaitMaster(json -> "ALIVE".equals(json.path("status").asText()), "the master to be ALIVE");
        masterUrl = state.path("url").asText();
        if (!masterUrl.startsWith("spark://" + HOST + ":")) {
          throw new IllegalStateException("unexpected master URL '" + masterUrl + "'\n" + logTails(false));
        }
        return;
      } catch (IllegalStateException e) {
        if (attempt == MASTER_START_ATTEMPTS || master.process().isAlive()) {
          throw e;
        }
        synchronized (this) {
          daemons.remove(master); // most likely lost the port race
        }
      }
    }
  }

  /** Tracks a started daemon, unless close() already ran (e.g. from the shutdown hook mid-start). */
  private synchronized void register(Daemon daemon) {
    if (closed) {
      daemon.process().destroyForcibly();
      throw new IllegalStateException("cluster closed while starting " + daemon.name());
    }
    daemons.add(daemon);
  }

  private Daemon launch(String name, String mainClass, List<String> args) {
    Path log = clusterDir.resolve("logs").resolve(name + ".log");
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    // Master and Worker are small bookkeeping JVMs; keep them light on a small machine.
    command.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dspark.port.maxRetries=0"));
    command.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptions().split("\\s+")));
    command.addAll(List.of("-cp", sparkHome.resolve("conf") + File.pathSeparator + sparkHome.resolve("jars") + "/*",
        mainClass));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(clusterDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("PYSPARK_"));
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_CONF_DIR", sparkHome.resolve("conf").toString());
    // Executor scratch space (shuffle, blocks) stays in the cluster dir instead of /tmp.
    env.put("SPARK_LOCAL_DIRS", clusterDir.resolve("local").toString());
    // Without it every executor launch fails with "Cannot find any build directories".
    env.put("SPARK_SCALA_VERSION", "2.12");
    // Without it the web UIs bind 0.0.0.0.
    env.put("SPARK_LOCAL_IP", HOST);
    // Executors are launched by the Workers with this JVM's java.
    env.put("JAVA_HOME", System.getProperty("java.home"));
    try {
      return new Daemon(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Spark " + name + ": " + command, e);
    }
  }

  /** Polls the Master's {@code /json/} until {@code ready} holds; fails early if a daemon died. */
  private JsonNode awaitMaster(java.util.function.Predicate<JsonNode> ready, String what) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(masterWebUiUrl() + "/json/"))
        .timeout(Duration.ofSeconds(5)).build();
    ObjectMapper mapper = new ObjectMapper();
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    while (true) {
      for (Daemon d : daemons) {
        if (!d.process().isAlive()) {
          throw new IllegalStateException("Spark " + d.name() + " exited with code " + d.process().exitValue()
              + " while waiting for " + what + "\n" + logTails(false));
        }
      }
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          JsonNode json = mapper.readTree(response.body());
          if (ready.test(json)) {
            return json;
          }
        }
      } catch (IOException notUpYet) {
        // the web UI is not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + STARTUP_TIMEOUT.toSeconds() + " s waiting for "
            + what + "\n" + logTails(false));
      }
      sleep(200);
    }
  }

  // ---- diagnostics and helpers ----

  /** The last lines of each daemon log (and, if asked, each executor's stderr), for error messages. */
  private String logTails(boolean withExecutors) {
    Map<String, Path> logs = new LinkedHashMap<>();
    daemons.forEach(d -> logs.put(d.name(), d.log()));
    if (withExecutors) {
      try (Stream<Path> files = Files.walk(clusterDir)) {
        files.filter(p -> p.getFileName().toString().equals("stderr") && p.startsWith(clusterDir))
            .filter(p -> !p.startsWith(sparkHome))
            .sorted()
            .forEach(p -> logs.put("executor " + clusterDir.relativize(p.getParent()), p));
      } catch (IOException | UncheckedIOException e) {
        logs.put("(cannot list executor logs: " + e + ")", clusterDir);
      }
    }
    StringBuilder out = new StringBuilder();
    logs.forEach((name, path) -> out.append("---- ").append(name).append(" (").append(path).append(") ----\n")
        .append(tail(path)).append('\n'));
    return out.toString();
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + HOST, e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Deletes a tree without following links, so the jar links go and the jars they point to stay. */
  private static void deleteRecursively(Path root) {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      // Leftover files in a temp dir are not worth failing a test run over; say where they are.
      System.err.println("warning: could not fully delete " + root + ": " + e);
    }
  }
}
