package org.loradist.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A cluster that cannot start says why, with the daemon's own log, and leaves no JVM behind. */
class LocalStandaloneClusterStartFailureIT {

  @Test
  void workerThatRefusesItsMemoryFailsTheStartWithItsLog() throws IOException {
    Path base = Files.createDirectories(Paths.get("target", "standalone-start-failure-it"));
    List<Path> earlier = list(base);
    // Valid syntax, but below the 1 MB a Worker accepts: the Worker JVM exits during startup.
    assertThatThrownBy(() -> LocalStandaloneCluster.start(base, 1, 1, "1k"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("worker-1 exited with code 1")
        .hasMessageContaining("Memory is below 1MB");

    List<Path> created = list(base);
    created.removeAll(earlier);
    assertThat(created).as("cluster directories made by this start").hasSize(1);
    Path clusterDir = created.get(0).toAbsolutePath();
    assertThat(clusterDir.resolve("logs").resolve("worker-1.log")).content().contains("Memory is below 1MB");
    List<Long> strays = LocalStandaloneCluster.leftoverPids(clusterDir);
    assertThat(strays).as("JVMs left by the failed start").isEmpty();
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> paths = Files.list(dir)) {
      return paths.collect(Collectors.toList());
    }
  }

  @Test
  void badArgumentsAreRefusedBeforeAnythingStarts() {
    assertThatThrownBy(() -> LocalStandaloneCluster.start(0, 1, "1g"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers must be at least 1, got 0");
    assertThatThrownBy(() -> LocalStandaloneCluster.start(1, 0, "1g"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coresPerWorker");
    assertThatThrownBy(() -> LocalStandaloneCluster.start(1, 1, "lots"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'lots'");
  }
}
