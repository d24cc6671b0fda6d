package org.loradist.train.lora;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loradist.lora.LoraConfig;
import org.loradist.train.StepInfo;

/** Replay takes exactly its share of every micro-batch, whatever the worker count, and walks the reference set. */
class ReplayPlanTest {
  static StepInfo info(long step, int micro, int micros, int rank, int workers) {
    return new StepInfo(step, 100, micro, micros, 24, 24 / micros, 0, 0, rank, workers, 5);
  }

  @Test
  void everyMicroBatchHoldsExactlyItsShareSplitAcrossWorkersAsOneWorkerWouldDrawIt() {
    int perMicro = 3;
    int reference = 10;
    ReplayPlan one = new ReplayPlan(perMicro, reference, 9);
    Map<Integer, Integer> seen = new HashMap<>();
    for (long step = 0; step < 20; step++) {
      for (int m = 0; m < 2; m++) {
        int[] whole = one.indices(info(step, m, 2, 0, 1));
        assertThat(whole).hasSize(perMicro);
        for (int workers : new int[] {2, 3, 4}) {
          List<Integer> joined = new ArrayList<>();
          List<Long> seeds = new ArrayList<>();
          for (int rank = 0; rank < workers; rank++) {
            ReplayPlan plan = new ReplayPlan(perMicro, reference, 9);
            StepInfo in = info(step, m, 2, rank, workers);
            int[] part = plan.indices(in);
            assertThat(part).hasSize(plan.count(in));
            for (int i = 0; i < part.length; i++) {
              joined.add(part[i]);
              seeds.add(plan.exampleSeed(in, i));
            }
          }
          assertThat(joined).containsExactly(java.util.Arrays.stream(whole).boxed().toArray(Integer[]::new));
          List<Long> oneSeeds = new ArrayList<>();
          for (int i = 0; i < perMicro; i++) {
            oneSeeds.add(one.exampleSeed(info(step, m, 2, 0, 1), i));
          }
          assertThat(seeds).isEqualTo(oneSeeds);
        }
        for (int i : whole) {
          seen.merge(i, 1, Integer::sum);
        }
      }
      assertThat(one.examplesPerStep(info(step, 0, 2, 0, 1))).isEqualTo(24 + 2 * perMicro);
    }
    // 20 steps x 2 micro-batches x 3 = 120 draws = 12 epochs over 10 reference examples: each exactly 12 times
    assertThat(seen).hasSize(reference).allSatisfy((k, v) -> assertThat(v).isEqualTo(12));
  }

  @Test
  void theConfigTurnsAFractionIntoAWholeNumberPerMicroBatch() {
    LoraTrainingConfig c = LoraTrainingConfig.builder(LoraTask.RETRIEVAL).batchSize(32).replay(0.05, 0).build();
    assertThat(c.replayPerMicroBatch()).isEqualTo(2);
    assertThat(c.taskExamplesPerStep()).isEqualTo(30);
    LoraTrainingConfig small = c.toBuilder().replay(0.01, 0).build();
    assertThat(small.replayPerMicroBatch()).as("a positive fraction replays at least one").isEqualTo(1);
    LoraTrainingConfig accumulated = c.toBuilder().batchSize(64).accumulationSteps(2).replay(0.25, 0.5).build();
    assertThat(accumulated.replayPerMicroBatch()).isEqualTo(8);
    assertThat(accumulated.taskExamplesPerStep()).isEqualTo(48);
    assertThat(LoraTrainingConfig.builder(LoraTask.RETRIEVAL).build().replayPerMicroBatch()).isZero();
    // classification always saves its head
    assertThat(LoraTrainingConfig.builder(LoraTask.CLASSIFICATION).lora(LoraConfig.defaults()).build().lora()
        .modulesToSave()).containsExactly("classifier");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> LoraTrainingConfig.builder(LoraTask.RETRIEVAL).replay(0, 1.0).build())
        .hasMessageContaining("replay fraction");
  }
}
