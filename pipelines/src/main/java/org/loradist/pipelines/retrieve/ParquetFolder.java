package org.loradist.pipelines.retrieve;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * A finished Parquet output folder read with parquet-hadoop alone (no Spark session): the folder is located and
 * checked for {@code _SUCCESS}, its part files listed, and rows of selected top-level columns handed to a consumer.
 * Values: String (binary), Integer, Long, Float, Double, Boolean; a list column gives a {@code float[]} when its
 * elements are floats (no boxing for embeddings), else a {@code List<Object>}; a list with null elements gives
 * {@link NullElements}; a null value gives null.
 */
final class ParquetFolder {
  static final String SUCCESS = "_SUCCESS";

  /** A list whose elements include nulls (the contracts say they never do). */
  record NullElements(int nulls) {}

  /** A data folder, its part files and their total row count (from the footers). */
  record Located(String given, Path data, List<Path> files, long rows) {}

  interface RowConsumer {
    void accept(Path file, long rowInFile, Object[] row) throws IOException;
  }

  private ParquetFolder() {}

  /**
   * {@code dir} itself, or {@code dir/nested} when that exists (a job's output folder holds its parts as
   * subfolders), must carry {@code _SUCCESS}: a folder without it is an interrupted or foreign write.
   */
  static Located locate(String dir, String nested, String what, Configuration conf) throws IOException {
    Path given = new Path(dir);
    FileSystem fs = given.getFileSystem(conf);
    if (!fs.exists(given)) {
      throw new RetrievalException(what + " folder not found: " + dir);
    }
    if (!fs.getFileStatus(given).isDirectory()) {
      throw new RetrievalException(what + " path is not a folder: " + dir);
    }
    if (!fs.exists(new Path(given, SUCCESS))) {
      throw new RetrievalException(what + " folder " + dir + " has no " + SUCCESS
          + " (an unfinished or interrupted write): refusing to read it");
    }
    Path data = fs.exists(new Path(given, nested)) ? new Path(given, nested) : given;
    if (data != given && !fs.exists(new Path(data, SUCCESS))) {
      throw new RetrievalException(what + " folder " + data + " has no " + SUCCESS + ": refusing to read it");
    }
    List<Path> files = new ArrayList<>();
    for (FileStatus st : fs.listStatus(data)) {
      String name = st.getPath().getName();
      if (st.isFile() && !name.startsWith("_") && !name.startsWith(".") && name.endsWith(".parquet")) {
        files.add(st.getPath());
      }
    }
    files.sort(null);
    long rows = 0;
    for (Path f : files) {
      try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(f, conf))) {
        for (BlockMetaData block : reader.getFooter().getBlocks()) {
          rows += block.getRowCount();
        }
      }
    }
    return new Located(dir, data, List.copyOf(files), rows);
  }

  /** Reads {@code columns} of every row of {@code file}, in order. */
  static void read(Path file, Configuration conf, List<String> columns, RowConsumer consumer) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      List<Type> fields = new ArrayList<>();
      for (String c : columns) {
        if (!schema.containsField(c)) {
          throw new RetrievalException(file + " has no column '" + c + "' (columns: "
              + schema.getFields().stream().map(Type::getName).toList() + ")");
        }
        fields.add(schema.getType(c));
      }
      MessageType projection = new MessageType(schema.getName(), fields);
      reader.setRequestedSchema(projection);
      MessageColumnIO io = new ColumnIOFactory().getColumnIO(projection, schema);
      RowMaterializer materializer = new RowMaterializer(projection);
      long rowInFile = 0;
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        RecordReader<Object[]> records = io.getRecordReader(pages, materializer);
        for (long i = 0, n = pages.getRowCount(); i < n; i++) {
          consumer.accept(file, rowInFile++, records.read());
        }
      }
    }
  }

  private static final class RowMaterializer extends RecordMaterializer<Object[]> {
    private final Object[] row;
    private final GroupConverter root;

    RowMaterializer(MessageType projection) {
      row = new Object[projection.getFieldCount()];
      Converter[] fields = new Converter[row.length];
      for (int i = 0; i < row.length; i++) {
        Type t = projection.getType(i);
        int column = i;
        fields[i] = t.isPrimitive() ? new ValueConverter(v -> row[column] = v)
            : new ListConverter(v -> row[column] = v, t.asGroupType());
      }
      root = new GroupConverter() {
        @Override
        public Converter getConverter(int fieldIndex) {
          return fields[fieldIndex];
        }

        @Override
        public void start() {
          Arrays.fill(row, null);
        }

        @Override
        public void end() {}
      };
    }

    @Override
    public Object[] getCurrentRecord() {
      return row;
    }

    @Override
    public GroupConverter getRootConverter() {
      return root;
    }
  }

  private interface Sink {
    void put(Object value);
  }

  private static final class ValueConverter extends PrimitiveConverter {
    private final Sink sink;

    ValueConverter(Sink sink) {
      this.sink = sink;
    }

    @Override
    public void addBinary(Binary value) {
      sink.put(value.toStringUsingUTF8());
    }

    @Override
    public void addInt(int value) {
      sink.put(value);
    }

    @Override
    public void addLong(long value) {
      sink.put(value);
    }

    @Override
    public void addFloat(float value) {
      sink.put(value);
    }

    @Override
    public void addDouble(double value) {
      sink.put(value);
    }

    @Override
    public void addBoolean(boolean value) {
      sink.put(value);
    }
  }

  /** The elements of a list column (3-level or legacy 2-level), gathered until the list's group ends. */
  private static final class ListConverter extends GroupConverter {
    private final Sink sink;
    private final boolean floats;
    private final Converter child;
    private float[] floatValues = new float[64];
    private List<Object> objects;
    private int size;
    private int nulls;

    ListConverter(Sink sink, GroupType list) {
      this.sink = sink;
      Type leaf = list;
      while (!leaf.isPrimitive()) {
        GroupType g = leaf.asGroupType();
        if (g.getFieldCount() != 1) {
          throw new RetrievalException("column '" + list.getName() + "' is not a list (" + list + ")");
        }
        leaf = g.getType(0);
      }
      floats = leaf.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.FLOAT;
      child = converterFor(list.getType(0));
    }

    private Converter converterFor(Type t) {
      if (t.isPrimitive() && floats) {
        return new PrimitiveConverter() {
          @Override
          public void addFloat(float value) {
            addFloatValue(value);
          }
        };
      }
      if (t.isPrimitive()) {
        return new ValueConverter(this::add);
      }
      Type inner = t.asGroupType().getType(0);
      Converter innerConverter = converterFor(inner);
      boolean elementLevel = inner.isPrimitive();
      return new GroupConverter() {
        private int sizeAtStart;

        @Override
        public Converter getConverter(int fieldIndex) {
          return innerConverter;
        }

        @Override
        public void start() {
          sizeAtStart = size;
        }

        @Override
        public void end() {
          if (elementLevel && size == sizeAtStart) {
            nulls++; // an element group with no value: a null element
          }
        }
      };
    }

    private void addFloatValue(float v) {
      if (size == floatValues.length) {
        floatValues = Arrays.copyOf(floatValues, size * 2);
      }
      floatValues[size++] = v;
    }

    private void add(Object v) {
      objects.add(v);
      size++;
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return child;
    }

    @Override
    public void start() {
      size = 0;
      nulls = 0;
      objects = floats ? null : new ArrayList<>();
    }

    @Override
    public void end() {
      if (nulls > 0) {
        sink.put(new NullElements(nulls));
      } else {
        sink.put(floats ? Arrays.copyOf(floatValues, size) : List.copyOf(objects));
      }
    }
  }
}
