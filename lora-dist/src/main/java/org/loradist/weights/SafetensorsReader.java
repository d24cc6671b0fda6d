package org.loradist.weights;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the safetensors format: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}}, plus {@code __metadata__}), then the raw little-endian data.
 * The file is memory-mapped; tensors are views of the mapping. Every inconsistency is an IOException that names
 * the file and, where there is one, the tensor.
 */
public final class SafetensorsReader {
  private static final long MAX_HEADER = 100L << 20;

  private SafetensorsReader() {}

  public static Safetensors read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("safetensors file not found: " + file);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        throw new IOException(file + ": " + size + " bytes; files over 2 GiB are not supported (shard the checkpoint)");
      }
      ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
      return parse(all, file.toString());
    }
  }

  /** Parses a whole safetensors image held in {@code bytes}; {@code origin} names it in errors. */
  public static Safetensors parse(ByteBuffer bytes, String origin) throws IOException {
    ByteBuffer all = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
    long size = all.remaining();
    if (size < 8) {
      throw new IOException(origin + ": truncated safetensors file (" + size + " bytes, no header length)");
    }
    long headerLen = all.getLong(0);
    if (headerLen < 2 || headerLen > MAX_HEADER || 8 + headerLen > size) {
      throw new IOException(origin + ": corrupt or truncated safetensors file (header length " + headerLen
          + ", file size " + size + ")");
    }
    byte[] header = new byte[(int) headerLen];
    all.get(8, header);
    JsonObject json;
    try {
      JsonElement e = JsonParser.parseString(new String(header, StandardCharsets.UTF_8));
      if (!e.isJsonObject()) {
        throw new IOException(origin + ": safetensors header is not a JSON object");
      }
      json = e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IOException(origin + ": safetensors header is not valid JSON (" + e.getMessage() + ")", e);
    }
    long dataStart = 8 + headerLen;
    long dataLen = size - dataStart;
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Map.Entry<String, long[]>> spans = new ArrayList<>();
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> entry : json.entrySet()) {
      String name = entry.getKey();
      if (name.equals("__metadata__")) {
        if (entry.getValue().isJsonObject()) {
          entry.getValue().getAsJsonObject().entrySet()
              .forEach(m -> metadata.put(m.getKey(), m.getValue().isJsonPrimitive()
                  ? m.getValue().getAsString() : m.getValue().toString()));
        }
        continue;
      }
      String where = origin + ": tensor '" + name + "'";
      try {
        JsonObject t = entry.getValue().getAsJsonObject();
        String dtype = t.get("dtype").getAsString();
        TensorType type = TensorType.fromSafetensors(dtype);
        if (type == null) {
          throw new IOException(where + " has dtype " + dtype + ", which is not supported (F32, F16, BF16, I64, I32)");
        }
        long[] shape = toLongs(t.get("shape").getAsJsonArray());
        long[] offsets = toLongs(t.get("data_offsets").getAsJsonArray());
        if (offsets.length != 2 || offsets[0] < 0 || offsets[1] < offsets[0]) {
          throw new IOException(where + " has invalid data_offsets " + t.get("data_offsets"));
        }
        long need = HostTensor.elementCount(shape) * type.bytes();
        if (offsets[1] - offsets[0] != need) {
          throw new IOException(where + ": data_offsets span " + (offsets[1] - offsets[0]) + " bytes, shape "
              + t.get("shape") + " of " + dtype + " needs " + need);
        }
        if (offsets[1] > dataLen) {
          throw new IOException(where + " ends at byte " + offsets[1] + " of the data, which has only " + dataLen
              + " bytes: the file is truncated");
        }
        ByteBuffer data = all.slice((int) (dataStart + offsets[0]), (int) need);
        tensors.put(name, new HostTensor(type, shape, data));
        spans.add(Map.entry(name, offsets));
      } catch (IllegalStateException | NullPointerException | UnsupportedOperationException
          | ArithmeticException | IllegalArgumentException e) {
        throw new IOException(where + " has a malformed header entry " + entry.getValue(), e);
      }
    }
    spans.sort((a, b) -> Long.compare(a.getValue()[0], b.getValue()[0]));
    for (int i = 1; i < spans.size(); i++) {
      if (spans.get(i).getValue()[0] < spans.get(i - 1).getValue()[1]) {
        throw new IOException(origin + ": tensors '" + spans.get(i - 1).getKey() + "' and '" + spans.get(i).getKey()
            + "' overlap");
      }
    }
    return new Safetensors(tensors, metadata);
  }

  private static long[] toLongs(com.google.gson.JsonArray a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsLong();
    }
    return out;
  }
}
