package org.loradist.model;

import ai.djl.engine.Engine;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the MKL inside PyTorch's CPU library use its AVX-512 kernels on AMD CPUs that have AVX-512 (Zen 4 and later).
 *
 * <p>Why: every linear of the encoder is an MKL sgemm, and MKL picks its code path from two cached answers to "is
 * this an Intel CPU?" ({@code mkl_serv_intel_cpu_true}, {@code mkl_serv_intel_cpu}); on AMD it falls back to its
 * generic AVX2 kernels whatever the CPU supports. Measured on this project's EPYC (Zen 5): one [8192 x 384] x
 * [384 x 384] sgemm at ~70 GFLOP/s on the AVX2 path vs ~180 with AVX-512, the same gap as setting
 * {@code LD_PRELOAD} to a library whose {@code mkl_serv_intel_cpu_true} returns 1 (a common remedy). Results differ
 * only by fp32 rounding (another summation order).
 *
 * <p>How: both functions start by loading their cache, {@code mov cached(%rip), %eax}; we read the cache's address
 * from that instruction and store 1 (true) there before MKL first asks. MKL caches its kernel choice at the first
 * sgemm, so this must run before any matmul in the JVM; it is a no-op if it comes too late, on any other CPU, or
 * if the code does not look as expected (another PyTorch build).
 *
 * <p>Opt-in ({@code -Dloradist.mkl.amdAvx512=true}; on a cluster also in spark.executor.extraJavaOptions): it writes
 * into a native library's private data, which a user should choose knowingly. What it did is logged once.
 */
public final class MklCpuDispatch {
  private static final Logger LOG = LoggerFactory.getLogger(MklCpuDispatch.class);
  private static final String SWITCH = "loradist.mkl.amdAvx512";
  private static final List<String> FUNCTIONS = List.of("mkl_serv_intel_cpu_true", "mkl_serv_intel_cpu");
  /** The AVX-512 subsets MKL's avx512 (SKX) kernels use. */
  private static final Set<String> NEEDED_FLAGS = Set.of("avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512cd");

  private static String outcome;

  private MklCpuDispatch() {}

  /** Applies the switch once per JVM (first call decides); returns what happened, for logs and tests. */
  public static synchronized String ensureApplied() {
    if (outcome == null) {
      boolean asked = Boolean.getBoolean(SWITCH);
      outcome = asked ? apply() : "left as is (-D" + SWITCH + "=true not given)";
      if (asked) {
        LOG.info("MKL CPU dispatch: {}", outcome);
      }
    }
    return outcome;
  }

  private static String apply() {
    String cpu = cpuInfo();
    if (cpu == null || !cpu.contains("AuthenticAMD")) {
      return "left as is (not an AMD CPU)";
    }
    for (String flag : NEEDED_FLAGS) {
      if (!cpu.matches("(?s).*\\bflags\\s*:[^\\n]*\\b" + flag + "\\b.*")) {
        return "left as is (CPU lacks " + flag + ")";
      }
    }
    Engine.getEngine("PyTorch"); // loads libtorch_cpu.so, which holds MKL
    Path torchCpu = loadedLibrary("libtorch_cpu.so");
    if (torchCpu == null) {
      return "left as is (libtorch_cpu.so is not mapped in this process)";
    }
    try {
      NativeLibrary lib = NativeLibrary.getInstance(torchCpu.toString()); // the same handle PyTorch's loader got
      Pointer[] caches = new Pointer[FUNCTIONS.size()];
      for (int i = 0; i < caches.length; i++) {
        Pointer fn = lib.getFunction(FUNCTIONS.get(i));
        // 8B 05 disp32 = mov disp32(%rip), %eax; the cache sits at (address of the next instruction) + disp32
        if ((fn.getByte(0) & 0xff) != 0x8b || (fn.getByte(1) & 0xff) != 0x05) {
          return "left as is (" + FUNCTIONS.get(i) + " does not start with the expected load of its cache)";
        }
        caches[i] = new Pointer(Pointer.nativeValue(fn) + 6 + fn.getInt(2));
        int cached = caches[i].getInt(0);
        if (cached >= 0) {
          return "left as is (MKL already chose its kernels: " + FUNCTIONS.get(i) + " cached " + cached + ")";
        }
      }
      for (Pointer cache : caches) {
        cache.setInt(0, 1);
      }
      return "AVX-512 kernels enabled on this AMD CPU (MKL's Intel-only check answered true)";
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      return "left as is (" + e + ")";
    }
  }

  private static String cpuInfo() {
    try {
      return Files.readString(Path.of("/proc/cpuinfo"), StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static Path loadedLibrary(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8)) {
        int slash = line.indexOf('/');
        if (slash >= 0 && line.endsWith("/" + name)) {
          return Path.of(line.substring(slash));
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }
}
