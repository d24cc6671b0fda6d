package org.loradist.pipelines.retrieve;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The metadata of the chunks an embeddings folder covers, by embedding ordinal, read from a {@code chunks} folder
 * (or a prep output holding one). Chunks without an embedding are skipped; embeddings without a chunk are counted
 * ({@link #missing}), so a stale or partial chunks folder shows instead of silently shortening results.
 */
public record ChunkTable(String folder, ChunkInfo[] byOrdinal, int missing) {
  private static final List<String> COLUMNS = List.of("chunk_id", "doc_id", "text", "headings", "start_char",
      "end_char");

  @SuppressWarnings("unchecked")
  public static ChunkTable load(String dir, String[] chunkIds, Configuration conf) throws IOException {
    ParquetFolder.Located located = ParquetFolder.locate(dir, "chunks", "chunks", conf);
    Map<String, Integer> ordinals = new HashMap<>(chunkIds.length * 2);
    for (int i = 0; i < chunkIds.length; i++) {
      ordinals.put(chunkIds[i], i);
    }
    ChunkInfo[] infos = new ChunkInfo[chunkIds.length];
    for (Path file : located.files()) {
      ParquetFolder.read(file, conf, COLUMNS, (f, rowInFile, row) -> {
        Integer ordinal = ordinals.get((String) row[0]);
        if (ordinal == null) {
          return;
        }
        if (row[2] == null || row[4] == null || row[5] == null) {
          throw new RetrievalException("chunks folder " + dir + ": chunk " + row[0] + " at " + f.getName() + " row "
              + rowInFile + " lacks text or offsets");
        }
        List<String> headings = row[3] instanceof List<?> l ? (List<String>) l : List.of();
        infos[ordinal] = new ChunkInfo((String) row[1], (String) row[2], headings, (Integer) row[4], (Integer) row[5]);
      });
    }
    int missing = 0;
    for (ChunkInfo c : infos) {
      if (c == null) {
        missing++;
      }
    }
    return new ChunkTable(dir, infos, missing);
  }
}
