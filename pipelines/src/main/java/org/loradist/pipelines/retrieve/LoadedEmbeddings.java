package org.loradist.pipelines.retrieve;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * An {@code embeddings} folder (chunk_id, embedding, model, adapter) in memory: the vectors in a {@link VectorStore},
 * the chunk ids by ordinal. One model, one adapter and one dimension per folder, or it is refused, as are a null or
 * non-finite vector and a repeated chunk_id, each with the file and row at fault.
 */
public record LoadedEmbeddings(String folder, String model, String adapter, VectorStore store, String[] chunkIds) {
  private static final List<String> COLUMNS = List.of("chunk_id", "embedding", "model", "adapter");

  public int dimension() {
    return store.dimension();
  }

  public int size() {
    return store.size();
  }

  public static LoadedEmbeddings load(String dir, Storage storage, DotKernel kernel, Configuration conf)
      throws IOException {
    ParquetFolder.Located located = ParquetFolder.locate(dir, "embeddings", "embeddings", conf);
    if (located.rows() > Integer.MAX_VALUE - 8) {
      throw new RetrievalException("embeddings folder " + dir + " holds " + located.rows()
          + " rows: too many for one process; use the Spark query job");
    }
    Loader loader = new Loader(dir, (int) located.rows(), storage, kernel);
    for (Path file : located.files()) {
      ParquetFolder.read(file, conf, COLUMNS, loader::accept);
    }
    if (loader.count != located.rows()) {
      throw new RetrievalException("embeddings folder " + dir + ": footers count " + located.rows() + " rows, read "
          + loader.count);
    }
    if (loader.store == null) {
      throw new RetrievalException("embeddings folder " + dir + " holds no embeddings");
    }
    return new LoadedEmbeddings(dir, loader.model, loader.adapter, loader.store, loader.chunkIds);
  }

  private static final class Loader {
    private final String dir;
    private final int rows;
    private final Storage storage;
    private final DotKernel kernel;
    private final String[] chunkIds;
    private final Map<String, String> seen = new HashMap<>();
    private VectorStore store;
    private String model;
    private String adapter;
    private String firstAt;
    private int count;

    Loader(String dir, int rows, Storage storage, DotKernel kernel) {
      this.dir = dir;
      this.rows = rows;
      this.storage = storage;
      this.kernel = kernel;
      this.chunkIds = new String[rows];
    }

    void accept(Path file, long rowInFile, Object[] row) {
      String at = file.getName() + " row " + rowInFile;
      String chunkId = (String) row[0];
      if (chunkId == null) {
        throw new RetrievalException("embeddings folder " + dir + ": null chunk_id at " + at);
      }
      if (!(row[1] instanceof float[] vector)) {
        throw new RetrievalException("embeddings folder " + dir + ": chunk " + chunkId + " at " + at
            + (row[1] == null ? " has no embedding" : " has an embedding with null elements"));
      }
      String rowModel = (String) row[2];
      String rowAdapter = (String) row[3];
      if (store == null) {
        if (vector.length == 0) {
          throw new RetrievalException("embeddings folder " + dir + ": empty embedding at " + at);
        }
        model = rowModel;
        adapter = rowAdapter;
        firstAt = at;
        store = VectorStore.allocate(storage, rows, vector.length, kernel);
      }
      if (!Objects.equals(rowModel, model)) {
        throw new RetrievalException("embeddings folder " + dir + " mixes models: '" + model + "' (" + firstAt
            + ") and '" + rowModel + "' (" + at + ")");
      }
      if (!Objects.equals(rowAdapter, adapter)) {
        throw new RetrievalException("embeddings folder " + dir + " mixes adapters: " + describe(adapter) + " ("
            + firstAt + ") and " + describe(rowAdapter) + " (" + at + ")");
      }
      if (vector.length != store.dimension()) {
        throw new RetrievalException("embeddings folder " + dir + " mixes dimensions: " + store.dimension() + " ("
            + firstAt + ") and " + vector.length + " (" + at + ", model '" + rowModel + "')");
      }
      for (float x : vector) {
        if (!Float.isFinite(x)) {
          throw new RetrievalException("embeddings folder " + dir + ": chunk " + chunkId + " at " + at
              + " has a non-finite value");
        }
      }
      String previous = seen.putIfAbsent(chunkId, at);
      if (previous != null) {
        throw new RetrievalException("embeddings folder " + dir + ": chunk_id '" + chunkId + "' appears twice ("
            + previous + " and " + at + ")");
      }
      store.set(count, vector);
      chunkIds[count++] = chunkId;
    }

    private static String describe(String adapter) {
      return adapter == null ? "the base model (no adapter)" : "'" + adapter + "'";
    }
  }
}
