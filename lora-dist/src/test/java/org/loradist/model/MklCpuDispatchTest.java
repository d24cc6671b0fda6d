package org.loradist.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * MKL's dispatch switch is per process and must act before the first matmul, so the switched-on side runs in a child
 * JVM: it embeds the same texts and prints its outcome and vectors; this JVM (switch off) compares them.
 */
class MklCpuDispatchTest {
  private static final List<String> TEXTS = List.of("Parses and validates configuration files written in TOML.",
      "A library of fast Fourier transforms for one and more dimensions, with bindings for C and Fortran.");

  @Test
  void isOffUnlessAskedFor() {
    assertThat(MklCpuDispatch.ensureApplied()).isEqualTo("left as is (-Dloradist.mkl.amdAvx512=true not given)");
  }

  @Test
  void switchedOnGivesTheSameEmbeddingsToFp32Rounding() throws Exception {
    Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-Dloradist.mkl.amdAvx512=true", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
        Child.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String l = out.readLine(); l != null; l = out.readLine()) {
        lines.add(l);
      }
    }
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isZero();
    String outcome = lines.stream().filter(l -> l.startsWith("OUTCOME ")).findFirst().orElseThrow().substring(8);
    // On an AMD CPU with AVX-512 (this project's machines) it takes effect; elsewhere it must say why not.
    String cpu = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/cpuinfo"));
    if (cpu.contains("AuthenticAMD") && cpu.contains(" avx512f ") && cpu.contains(" avx512bw ")) {
      assertThat(outcome).startsWith("AVX-512 kernels enabled");
    } else {
      assertThat(outcome).startsWith("left as is (");
    }
    float[][] mine;
    try (TextEmbedder e = TextEmbedder.forModel("default", TextEmbedder.Options.defaults().withMaxTokens(64))) {
      mine = e.embed(TEXTS);
    }
    List<String> vectors = lines.stream().filter(l -> l.startsWith("VECTOR ")).toList();
    assertThat(vectors).hasSize(TEXTS.size());
    for (int t = 0; t < TEXTS.size(); t++) {
      String[] v = vectors.get(t).substring(7).split(" ");
      assertThat(v).hasSize(mine[t].length);
      for (int i = 0; i < v.length; i++) {
        assertThat(Float.parseFloat(v[i])).as("text %d dim %d", t, i)
            .isCloseTo(mine[t][i], org.assertj.core.api.Assertions.within(1e-5f));
      }
    }
  }

  /** The switched-on side. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      String outcome = MklCpuDispatch.ensureApplied();
      System.out.println("OUTCOME " + outcome);
      try (TextEmbedder e = TextEmbedder.forModel("default", TextEmbedder.Options.defaults().withMaxTokens(64))) {
        for (float[] v : e.embed(TEXTS)) {
          StringBuilder sb = new StringBuilder("VECTOR");
          for (float x : v) {
            sb.append(' ').append(Float.toString(x));
          }
          System.out.println(sb);
        }
      }
    }
  }
}
