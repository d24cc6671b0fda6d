package org.loradist.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A cluster that cannot start says why, with the daemon's own log, and leaves no JVM behind. */
class LocalStandaloneClusterStartFailureIT {

  @Test
  void workerThatRefusesItsMemoryFailsTheStartWithItsLogAndLeavesNothing() {
    // Valid syntax, but below the 1 MB a Worker accepts: the Worker JVM exits during startup.
    Throwable failure = catchThrowable(() -> LocalStandaloneCluster.start(1, 1, "1k"));
    assertThat(failure).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("worker-1 exited with code 1")
        .hasMessageContaining("Memory is below 1MB");
    // The message names the worker's log inside the temporary cluster directory.
    Matcher log = Pattern.compile("\\((/\\S+)/logs/worker-1\\.log\\)")
        .matcher(failure.getMessage());
    assertThat(log.find()).as("log path in: " + failure.getMessage()).isTrue();
    Path clusterDir = Paths.get(log.group(1));
    assertThat(clusterDir).as("the temporary cluster directory").doesNotExist();
    assertThat(LocalStandaloneCluster.leftoverPids(clusterDir)).as("JVMs left by the failed start").isEmpty();
  }
}
