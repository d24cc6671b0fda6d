package org.loradist.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the weights of an ONNX-exported encoder: the graph's initializers (ModelProto.graph.initializer) and
 * its nodes, with a small protobuf wire reader, so no ONNX library is needed at run time.
 *
 * <p>Exporters keep Hugging Face names for biases and LayerNorm parameters but store the weight of every
 * {@code nn.Linear} as a generated {@code onnx::MatMul_N} initializer in [in, out] layout (the exporter folds
 * the transpose of {@code x W^T} into the constant). {@link #toHuggingFace} finds each such matrix's module from
 * the MatMul node that consumes it (node names follow the module path, {@code /encoder/layer.0/attention/self/query/MatMul})
 * and transposes it back to Hugging Face's [out, in].
 */
public final class OnnxInitializers {
  /** One graph node: enough to see which module consumes which initializer. */
  public record Node(String name, String opType, List<String> inputs, List<String> outputs) {}

  /** The parts of an ONNX graph that carry weights. Initializers keep the file's order. */
  public record Graph(Map<String, HostTensor> initializers, List<Node> nodes) {}

  // ONNX TensorProto.DataType values
  private static final int FLOAT = 1;
  private static final int INT32 = 6;
  private static final int INT64 = 7;
  private static final int FLOAT16 = 10;
  private static final int BFLOAT16 = 16;

  private static final Pattern MATMUL_NODE = Pattern.compile("^/?(.+)/MatMul(_\\d+)?$");

  private OnnxInitializers() {}

  /** Parses initializers and nodes of {@code model} (the whole .onnx file); {@code origin} names it in errors. */
  public static Graph readGraph(ByteBuffer model, String origin) {
    ProtoReader m = new ProtoReader(model, origin);
    Graph graph = null;
    while (m.next()) {
      if (m.fieldNumber() == 7 && m.wireType() == ProtoReader.LENGTH_DELIMITED) { // ModelProto.graph
        graph = readGraphProto(m.readMessage(), origin);
      } else {
        m.skip();
      }
    }
    if (graph == null) {
      throw new IllegalStateException(origin + ": not an ONNX model (no graph field)");
    }
    return graph;
  }

  /**
   * The initializers under Hugging Face parameter names: generated MatMul weights are renamed after the module
   * whose MatMul node consumes them and transposed to [out, in]; all other names are kept. Initializers that are
   * neither named like a parameter nor consumed by a MatMul (shape constants and the like) are left out.
   */
  public static Map<String, HostTensor> toHuggingFace(Graph graph, String origin) {
    Map<String, List<Node>> consumers = new LinkedHashMap<>();
    for (Node node : graph.nodes()) {
      for (String in : node.inputs()) {
        consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(node);
      }
    }
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, HostTensor> e : graph.initializers().entrySet()) {
      String name = e.getKey();
      HostTensor tensor = e.getValue();
      if (!name.startsWith("onnx::")) {
        if (name.endsWith(".weight") || name.endsWith(".bias")) {
          put(out, name, tensor, origin);
        }
        continue;
      }
      List<Node> users = consumers.getOrDefault(name, List.of());
      if (users.size() != 1 || !users.get(0).opType().equals("MatMul") || tensor.shape().length != 2) {
        continue; // a shape or scalar constant, not a weight
      }
      Node user = users.get(0);
      Matcher mm = MATMUL_NODE.matcher(user.name());
      if (!mm.matches()) {
        throw new IllegalStateException(origin + ": initializer '" + name + "' feeds MatMul node '" + user.name()
            + "', whose name does not give a module path");
      }
      String module = mm.group(1).replace('/', '.');
      put(out, module + ".weight", tensor.transposed2d(), origin);
    }
    return out;
  }

  private static void put(Map<String, HostTensor> out, String name, HostTensor tensor, String origin) {
    if (out.put(name, tensor) != null) {
      throw new IllegalStateException(origin + ": two initializers map to parameter '" + name + "'");
    }
  }

  private static Graph readGraphProto(ProtoReader g, String origin) {
    Map<String, HostTensor> initializers = new LinkedHashMap<>();
    List<Node> nodes = new ArrayList<>();
    while (g.next()) {
      switch (g.fieldNumber()) {
        case 1 -> nodes.add(readNode(g.readMessage()));
        case 5 -> {
          ProtoReader t = g.readMessage();
          NamedTensor nt = readTensor(t, origin);
          initializers.put(nt.name, nt.tensor);
        }
        default -> g.skip();
      }
    }
    return new Graph(initializers, nodes);
  }

  private static Node readNode(ProtoReader n) {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    String name = "";
    String op = "";
    while (n.next()) {
      switch (n.fieldNumber()) {
        case 1 -> inputs.add(n.readString());
        case 2 -> outputs.add(n.readString());
        case 3 -> name = n.readString();
        case 4 -> op = n.readString();
        default -> n.skip();
      }
    }
    return new Node(name, op, List.copyOf(inputs), List.copyOf(outputs));
  }

  private record NamedTensor(String name, HostTensor tensor) {}

  private static NamedTensor readTensor(ProtoReader t, String origin) {
    List<Long> dims = new ArrayList<>();
    int dataType = 0;
    String name = "";
    ByteBuffer raw = null;
    List<ByteBuffer> floatData = new ArrayList<>();
    long[] floatCount = {0};
    List<Long> int64Data = new ArrayList<>();
    boolean external = false;
    while (t.next()) {
      switch (t.fieldNumber()) {
        case 1 -> t.readVarints(dims::add);
        case 2 -> dataType = (int) t.readVarint();
        case 4 -> { // float_data: packed (usual) or one fixed32 per element
          if (t.wireType() == ProtoReader.LENGTH_DELIMITED) {
            ByteBuffer b = t.readBytes();
            floatCount[0] += b.remaining() / 4;
            floatData.add(b);
          } else {
            throw t.corrupt("unpacked float_data is not supported");
          }
        }
        case 5, 7 -> t.readVarints(int64Data::add); // int32_data / int64_data
        case 8 -> name = t.readString();
        case 9 -> raw = t.readBytes();
        case 14 -> external = t.readVarint() == 1;
        default -> t.skip();
      }
    }
    String where = origin + ": initializer '" + name + "'";
    if (external) {
      throw new IllegalStateException(where + " keeps its data in an external file, which is not supported");
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    long n = HostTensor.elementCount(shape);
    TensorType type = switch (dataType) {
      case FLOAT -> TensorType.F32;
      case FLOAT16 -> TensorType.F16;
      case BFLOAT16 -> TensorType.BF16;
      case INT64 -> TensorType.I64;
      case INT32 -> TensorType.I32;
      default -> null;
    };
    if (type == null) {
      // types no encoder weight uses (bool, strings, ...): keep the name visible, the data empty
      return new NamedTensor(name, new HostTensor(TensorType.I64, new long[] {0}, ByteBuffer.allocate(0)));
    }
    ByteBuffer data;
    if (raw != null) {
      data = raw;
    } else if (!floatData.isEmpty()) {
      ByteBuffer all = ByteBuffer.allocate((int) floatCount[0] * 4).order(ByteOrder.LITTLE_ENDIAN);
      floatData.forEach(all::put);
      data = all.flip();
    } else {
      ByteBuffer all = ByteBuffer.allocate(int64Data.size() * type.bytes()).order(ByteOrder.LITTLE_ENDIAN);
      for (long v : int64Data) {
        if (type == TensorType.I64) {
          all.putLong(v);
        } else if (type == TensorType.I32) {
          all.putInt((int) v);
        } else {
          all.putShort((short) v); // F16/BF16 travel as int32_data holding the bit patterns
        }
      }
      data = all.flip();
    }
    if ((long) data.remaining() != n * type.bytes()) {
      throw new IllegalStateException(where + " has " + data.remaining() + " bytes of data, its shape "
          + dims + " of " + type + " needs " + n * type.bytes());
    }
    return new NamedTensor(name, new HostTensor(type, shape, data));
  }
}
