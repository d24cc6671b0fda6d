package org.loradist.jobs.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StageCheckTest {
  @Test
  void settingsThatOnlyChangeHowAStageRunsDoNotMakeItsOutputStale() {
    Map<String, Object> prep = StageCheck.shaping("prep", Map.of("prep.dedup.threshold", 0.8,
        "prep.dedup.local-components-max-edges", 5, "prep.output", "/x", "run.seed", 42, "train.lr", 1e-3));
    assertThat(prep).containsOnlyKeys("prep.dedup.threshold", "run.seed");
    Map<String, Object> train = StageCheck.shaping("train", Map.of("train.lr", 1e-3, "train.workers", 2,
        "train.checkpoint-every", 10, "run.seed", 42));
    assertThat(train).containsOnlyKeys("train.lr", "run.seed");
  }
}
