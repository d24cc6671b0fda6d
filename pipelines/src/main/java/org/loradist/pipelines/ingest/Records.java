package org.loradist.pipelines.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.collection.JavaConverters;

/** Builds rows of {@link org.loradist.pipelines.Schemas#RECORDS}. */
public final class Records {
  private Records() {}

  /**
   * The id of a record that has none of its own: the first 16 bytes of SHA-256 over {@code source#position}, in
   * hex. It depends only on where the record is, so a rerun over the same files gives the same ids.
   */
  public static String stableId(String source, long position) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha.digest((source + "#" + position).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static Row kept(String docId, String source, long position, String title, String text, Map<String, String> meta) {
    return RowFactory.create(docId, source, position, title, text, scalaMap(meta), null, null);
  }

  static Row reject(String source, long position, InputFormat format, String reason, String sample) {
    Map<String, String> meta = new TreeMap<>();
    meta.put("format", format.metaName);
    return RowFactory.create(stableId(source, position), source, position, null, null, scalaMap(meta), reason, sample);
  }

  /** Spark's Row encoder wants a Scala map for a map column; a sorted one keeps reruns byte-identical. */
  private static scala.collection.Map<String, String> scalaMap(Map<String, String> meta) {
    return JavaConverters.mapAsScalaMap(new TreeMap<>(meta));
  }
}
