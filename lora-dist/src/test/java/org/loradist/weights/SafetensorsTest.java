package org.loradist.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir
  Path dir;

  @Test
  void roundTripsEveryTypeWithShapesOrderAndMetadata() throws IOException {
    float[] values = {0f, 1f, -2.5f, 0.333f, 65504f, -1e-3f};
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    tensors.put("b.f32", HostTensor.ofFloats(new long[] {2, 3}, values));
    tensors.put("a.f16", HostTensor.ofFloats(new long[] {6}, values).convertTo(TensorType.F16));
    tensors.put("c.bf16", HostTensor.ofFloats(new long[] {3, 2}, values).convertTo(TensorType.BF16));
    ByteBuffer ids = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(-1).flip();
    tensors.put("ids", new HostTensor(TensorType.I64, new long[] {1, 2}, ids));
    tensors.put("scalar", HostTensor.ofFloats(new long[] {}, new float[] {3f}));
    Path file = dir.resolve("t.safetensors");
    SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));

    // the header length is a multiple of 8 and the data follows it exactly
    ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(raw.getLong(0) % 8).isZero();

    Safetensors back = SafetensorsReader.read(file);
    assertThat(back.metadata()).containsEntry("format", "pt");
    assertThat(back.tensors().keySet()).containsExactly("b.f32", "a.f16", "c.bf16", "ids", "scalar");
    assertThat(back.tensors().get("b.f32").shape()).containsExactly(2, 3);
    assertThat(back.tensors().get("b.f32").toFloats()).containsExactly(values);
    assertThat(back.tensors().get("a.f16").type()).isEqualTo(TensorType.F16);
    float[] f16 = back.tensors().get("a.f16").toFloats();
    for (int i = 0; i < values.length; i++) {
      assertThat(f16[i]).isCloseTo(values[i], org.assertj.core.data.Offset.offset(Math.abs(values[i]) * 1e-3f + 1e-7f));
    }
    float[] bf16 = back.tensors().get("c.bf16").toFloats();
    for (int i = 0; i < values.length; i++) {
      assertThat(bf16[i]).isCloseTo(values[i], org.assertj.core.data.Offset.offset(Math.abs(values[i]) * 8e-3f + 1e-7f));
    }
    assertThat(back.tensors().get("ids").toFloats()).containsExactly(7f, -1f);
    assertThat(back.tensors().get("scalar").shape()).isEmpty();
    assertThat(back.tensors().get("scalar").toFloats()).containsExactly(3f);
  }

  @Test
  void halfFloatConversionsAreExactWhereRepresentableAndRoundToNearestEven() {
    for (float f : new float[] {0f, -0f, 1f, -1f, 0.5f, 2048f, 65504f, 6.1035156e-5f, 5.9604645e-8f}) {
      assertThat(HalfFloats.f16ToFloat(HalfFloats.floatToF16(f))).isEqualTo(f);
    }
    assertThat(HalfFloats.f16ToFloat(HalfFloats.floatToF16(1e6f))).isInfinite();
    assertThat(HalfFloats.f16ToFloat(HalfFloats.floatToF16(Float.NaN))).isNaN();
    // 1 + 2^-11 is halfway between two f16 values: ties to even (1.0)
    assertThat(HalfFloats.f16ToFloat(HalfFloats.floatToF16(1f + 0x1p-11f))).isEqualTo(1f);
    assertThat(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(1f + 0x1p-8f))).isEqualTo(1f);
    assertThat(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(3.140625f))).isEqualTo(3.140625f);
    assertThat(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN))).isNaN();
  }

  @Test
  void truncatedFileNamesFileAndTensor() throws IOException {
    Path file = dir.resolve("t.safetensors");
    SafetensorsWriter.write(file, Map.of("w", HostTensor.ofFloats(new long[] {4, 4}, new float[16])), Map.of());
    byte[] all = Files.readAllBytes(file);
    Path cut = dir.resolve("cut.safetensors");
    Files.write(cut, Arrays.copyOf(all, all.length - 10));
    assertThatThrownBy(() -> SafetensorsReader.read(cut)).isInstanceOf(IOException.class)
        .hasMessageContaining(cut.toString()).hasMessageContaining("'w'").hasMessageContaining("truncated");

    Path headerOnly = dir.resolve("short.safetensors");
    Files.write(headerOnly, Arrays.copyOf(all, 20));
    assertThatThrownBy(() -> SafetensorsReader.read(headerOnly)).isInstanceOf(IOException.class)
        .hasMessageContaining(headerOnly.toString()).hasMessageContaining("header length");

    Path tiny = dir.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SafetensorsReader.read(tiny)).hasMessageContaining(tiny.toString());
  }

  @Test
  void corruptHeaderAndBadEntriesAreNamed() throws IOException {
    Path garbage = dir.resolve("garbage.safetensors");
    byte[] json = "{not json".getBytes(StandardCharsets.UTF_8);
    Files.write(garbage, withHeader(json, 0));
    assertThatThrownBy(() -> SafetensorsReader.read(garbage)).hasMessageContaining(garbage.toString())
        .hasMessageContaining("not valid JSON");

    Path wrongSpan = dir.resolve("span.safetensors");
    byte[] h = "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}".getBytes(StandardCharsets.UTF_8);
    Files.write(wrongSpan, withHeader(h, 8));
    assertThatThrownBy(() -> SafetensorsReader.read(wrongSpan)).hasMessageContaining("'x'")
        .hasMessageContaining("needs 12");

    Path badType = dir.resolve("dtype.safetensors");
    byte[] h2 = "{\"x\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}".getBytes(StandardCharsets.UTF_8);
    Files.write(badType, withHeader(h2, 2));
    assertThatThrownBy(() -> SafetensorsReader.read(badType)).hasMessageContaining("'x'")
        .hasMessageContaining("F8_E4M3");

    assertThatThrownBy(() -> SafetensorsReader.read(dir.resolve("absent.safetensors")))
        .hasMessageContaining("absent.safetensors");
  }

  private static byte[] withHeader(byte[] json, int dataBytes) {
    ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(json.length).put(json);
    return b.array();
  }
}
