package org.loradist.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextWindowsTest {
  @Test
  void windowsStepByTheStrideAndTheLastEndsAtTheLastWord() {
    TextWindows w = new TextWindows(3, 2, 100);
    w.add("a b c d e f");
    assertThat(w.windows()).containsExactly("a b c", "c d e", "e f");
  }

  @Test
  void aShortTextIsOneWindowAndRepeatsAreKeptOnce() {
    TextWindows w = new TextWindows(4, 2, 100);
    w.add("  one   two\nthree ");
    w.add("one two three");
    w.add("   ");
    assertThat(w.windows()).containsExactly("one two three");
  }

  @Test
  void stopsAtTheLimit() {
    TextWindows w = new TextWindows(2, 1, 3);
    w.add("a b c d e f g");
    w.add("x y z");
    assertThat(w.full()).isTrue();
    assertThat(w.windows()).isEqualTo(List.of("a b", "b c", "c d"));
  }

  @Test
  void refusesAStrideLongerThanTheWindow() {
    assertThatThrownBy(() -> new TextWindows(2, 3, 10)).hasMessageContaining("stride 3");
  }
}
