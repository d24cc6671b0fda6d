package org.loradist.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class AdamWTest {
  private static final List<TensorSpec> SPECS =
      List.of(new TensorSpec("layer.weight", new int[] {2}), new TensorSpec("layer.bias", new int[] {1}));

  @Test
  void firstStepMovesByLrTimesSignPlusDecoupledDecay() {
    // Step 1, by hand: m = 0.1 g, v = 0.001 g^2, so m_hat / sqrt(v_hat) = g / |g|.
    // weight: p = p * (1 - lr * wd) - lr * sign(g); bias matches the no-decay pattern: p - lr * sign(g).
    TrainState state = TrainState.initial(SPECS, new float[][] {{1.0f, -2.0f}, {0.5f}}, 0);
    AdamW adamW = new AdamW(new AdamWConfig(0.1, 0.9, 0.999, 1e-8, 0.01, AdamWConfig.DEFAULT_NO_DECAY), SPECS);
    adamW.apply(state, new float[][] {{0.5f, -3.0f}, {2.0f}}, 0.1, 1);
    assertThat(state.values()[0][0]).isCloseTo(0.899f, within(1e-6f)); // 1.0 * 0.999 - 0.1
    assertThat(state.values()[0][1]).isCloseTo(-1.898f, within(1e-6f)); // -2.0 * 0.999 + 0.1
    assertThat(state.values()[1][0]).isCloseTo(0.4f, within(1e-6f)); // 0.5 - 0.1, no decay
    assertThat(state.firstMoments()[0][1]).isCloseTo(-0.3f, within(1e-7f));
    assertThat(state.secondMoments()[1][0]).isCloseTo(0.004f, within(1e-9f));
  }

  @Test
  void secondStepMatchesHandComputedBiasCorrection() {
    TrainState state = TrainState.initial(SPECS, new float[][] {{1.0f, -2.0f}, {0.5f}}, 0);
    AdamW adamW = new AdamW(new AdamWConfig(0.1, 0.9, 0.999, 1e-8, 0.01, AdamWConfig.DEFAULT_NO_DECAY), SPECS);
    adamW.apply(state, new float[][] {{0.5f, -3.0f}, {2.0f}}, 0.1, 1);
    adamW.apply(state, new float[][] {{-0.25f, 1.0f}, {2.0f}}, 0.05, 2);
    // weight[0], by hand: m = 0.9*0.05 + 0.1*(-0.25) = 0.02; v = 0.999*0.00025 + 0.001*0.0625 = 0.00031225;
    // m_hat = 0.02 / 0.19 = 0.1052632; v_hat = 0.00031225 / 0.001999 = 0.1562031, sqrt = 0.3952254;
    // p = 0.899 * (1 - 0.05*0.01) - 0.05 * 0.1052632 / 0.3952254 = 0.8985505 - 0.0133168 = 0.8852337
    assertThat(state.values()[0][0]).isCloseTo(0.8852337f, within(2e-6f));
    assertThat(state.firstMoments()[0][0]).isCloseTo(0.02f, within(1e-7f));
    assertThat(state.secondMoments()[0][0]).isCloseTo(0.00031225f, within(1e-9f));
    // bias: constant gradient 2 => m_hat / sqrt(v_hat) = 1 exactly: p = 0.4 - 0.05
    assertThat(state.values()[1][0]).isCloseTo(0.35f, within(1e-6f));
  }

  @Test
  void noDecayPatternAndZeroDecay() {
    AdamWConfig cfg = AdamWConfig.of(1e-3);
    assertThat(cfg.decays("encoder.layer.0.attention.self.query.lora_A.weight")).isTrue();
    assertThat(cfg.decays("classifier.bias")).isFalse();
    assertThat(cfg.decays("encoder.layer.0.output.LayerNorm.weight")).isFalse();
    assertThat(cfg.withWeightDecay(0).decays("x.weight")).isFalse();
  }

  @Test
  void scheduleWarmsUpThenDecays() {
    LrSchedule linear = LrSchedule.linear(4);
    assertThat(linear.lr(1.0, 0, 14)).isEqualTo(0.25);
    assertThat(linear.lr(1.0, 3, 14)).isEqualTo(1.0);
    assertThat(linear.lr(1.0, 4, 14)).isEqualTo(1.0);
    assertThat(linear.lr(1.0, 9, 14)).isCloseTo(0.5, within(1e-12));
    assertThat(linear.lr(1.0, 13, 14)).isCloseTo(0.1, within(1e-12));
    LrSchedule cosine = LrSchedule.cosine(0);
    assertThat(cosine.lr(2.0, 0, 10)).isEqualTo(2.0);
    assertThat(cosine.lr(2.0, 5, 10)).isCloseTo(1.0, within(1e-12));
    assertThat(new LrSchedule(LrSchedule.Decay.COSINE, 0, 0.1).lr(1.0, 9, 10)).isCloseTo(0.1, within(1e-12));
    assertThat(LrSchedule.constant().lr(3.0, 7, 10)).isEqualTo(3.0);
  }

  @Test
  void clippingScalesToTheGlobalNorm() {
    float[][] g = {{3f}, {0f, 4f}};
    double norm = Gradients.globalNorm(g);
    assertThat(norm).isEqualTo(5.0);
    assertThat(Gradients.clip(g, norm, 10)).isEqualTo(1.0);
    assertThat(g[0][0]).isEqualTo(3f);
    assertThat(Gradients.clip(g, norm, 0)).isEqualTo(1.0);
    double factor = Gradients.clip(g, norm, 1);
    assertThat(factor).isCloseTo(0.2, within(1e-6));
    assertThat(g[0][0]).isCloseTo(0.6f, within(1e-6f));
    assertThat(g[1][1]).isCloseTo(0.8f, within(1e-6f));
    assertThat(Gradients.globalNorm(g)).isCloseTo(1.0, within(1e-6));
    assertThat(Gradients.firstNonFinite(new float[][] {{1f}, {Float.NaN}})).isEqualTo(1);
    assertThat(Gradients.firstNonFinite(g)).isEqualTo(-1);
  }
}
