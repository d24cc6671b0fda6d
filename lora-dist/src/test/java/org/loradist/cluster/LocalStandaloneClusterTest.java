package org.loradist.cluster;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Arguments are checked before any directory or JVM is made (the cluster itself is tested in the ITs). */
class LocalStandaloneClusterTest {

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
