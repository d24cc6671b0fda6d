package org.loradist.pipelines.retrieve;

/**
 * Picks the inner-product kernel: the Vector API one when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} (the launcher does so for serve and query), else plain Java.
 * {@code -Dloradist.retrieve.kernel=scalar|panama} forces one (benchmarks, tests).
 */
public final class DotKernels {
  public static final String PROPERTY = "loradist.retrieve.kernel";

  private DotKernels() {}

  public static boolean vectorApiPresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /** The kernel for this JVM, honouring {@value #PROPERTY}. */
  public static DotKernel best() {
    String forced = System.getProperty(PROPERTY, "").strip();
    if (!forced.isEmpty()) {
      return named(forced);
    }
    return vectorApiPresent() ? PanamaDotKernel.INSTANCE : ScalarDotKernel.INSTANCE;
  }

  public static DotKernel named(String name) {
    switch (name) {
      case "scalar":
        return ScalarDotKernel.INSTANCE;
      case "panama":
        if (!vectorApiPresent()) {
          throw new IllegalArgumentException("kernel 'panama' needs the JVM flag --add-modules jdk.incubator.vector");
        }
        return PanamaDotKernel.INSTANCE;
      default:
        throw new IllegalArgumentException("unknown kernel '" + name + "' (" + PROPERTY + "): scalar or panama");
    }
  }
}
