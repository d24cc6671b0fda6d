package org.loradist.jobs.output;

import java.util.LinkedHashMap;
import java.util.Map;

/** Versions recorded in every manifest, so an output says what produced it. */
final class Versions {
  private Versions() {}

  static Map<String, String> all() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("lora-dist", orUnknown(Versions.class.getPackage().getImplementationVersion()));
    m.put("spark", org.apache.spark.package$.MODULE$.SPARK_VERSION());
    m.put("java", System.getProperty("java.version"));
    m.put("djl", orUnknown(ai.djl.engine.Engine.class.getPackage().getImplementationVersion()));
    return m;
  }

  private static String orUnknown(String v) {
    return v == null ? "dev" : v;
  }
}
