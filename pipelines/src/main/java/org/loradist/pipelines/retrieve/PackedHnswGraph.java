package org.loradist.pipelines.retrieve;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.util.hnsw.HnswGraph;

/**
 * A finished HNSW graph in flat int arrays: per level, the sorted nodes on it (level 0: every node, not stored), and
 * each node's neighbours in one array with offsets. It is what a search walks, what {@link #write} saves and
 * {@link #read} loads, so a server can start from a saved graph instead of building it again (minutes at 1M).
 *
 * <p>Read-only and shared: each search walks it through a {@link #view} of its own, since Lucene's graph API keeps
 * the walk's position in the graph object.
 */
final class PackedHnswGraph {
  private static final int MAGIC = 0x4c44484e; // "LDHN"
  private static final int VERSION = 1;

  private final int size;
  private final int entryNode;
  /** nodes[level] (null for level 0), sorted. */
  private final int[][] nodes;
  private final int[][] offsets;
  private final int[][] neighbours;

  private PackedHnswGraph(int size, int entryNode, int[][] nodes, int[][] offsets, int[][] neighbours) {
    this.size = size;
    this.entryNode = entryNode;
    this.nodes = nodes;
    this.offsets = offsets;
    this.neighbours = neighbours;
  }

  /** The graph's levels and neighbour lists, in the order the graph gives them. */
  static PackedHnswGraph of(HnswGraph graph) throws IOException {
    int size = graph.size();
    int levels = graph.numLevels();
    int[][] nodes = new int[levels][];
    int[][] offsets = new int[levels][];
    int[][] neighbours = new int[levels][];
    for (int level = 0; level < levels; level++) {
      int[] onLevel;
      if (level == 0) {
        onLevel = null;
      } else {
        HnswGraph.NodesIterator it = graph.getNodesOnLevel(level);
        onLevel = new int[it.size()];
        for (int i = 0; i < onLevel.length; i++) {
          onLevel[i] = it.nextInt();
        }
        Arrays.sort(onLevel);
      }
      int count = onLevel == null ? size : onLevel.length;
      int[] offset = new int[count + 1];
      int[] links = new int[Math.max(16, count * 4)];
      int at = 0;
      for (int i = 0; i < count; i++) {
        graph.seek(level, onLevel == null ? i : onLevel[i]);
        for (int n = graph.nextNeighbor(); n != Integer.MAX_VALUE; n = graph.nextNeighbor()) {
          if (at == links.length) {
            links = Arrays.copyOf(links, links.length * 2);
          }
          links[at++] = n;
        }
        offset[i + 1] = at;
      }
      nodes[level] = onLevel;
      offsets[level] = offset;
      neighbours[level] = Arrays.copyOf(links, at);
    }
    return new PackedHnswGraph(size, graph.entryNode(), nodes, offsets, neighbours);
  }

  int size() {
    return size;
  }

  long bytes() {
    long ints = 0;
    for (int level = 0; level < offsets.length; level++) {
      ints += (nodes[level] == null ? 0 : nodes[level].length) + offsets[level].length + neighbours[level].length;
    }
    return ints * Integer.BYTES;
  }

  /** A cursor of its own over the shared arrays, for one search. */
  HnswGraph view() {
    return new View();
  }

  void write(DataOutputStream out) throws IOException {
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(size);
    out.writeInt(entryNode);
    out.writeInt(offsets.length);
    for (int level = 0; level < offsets.length; level++) {
      writeInts(out, nodes[level] == null ? new int[0] : nodes[level]);
      writeInts(out, offsets[level]);
      writeInts(out, neighbours[level]);
    }
  }

  /**
   * A graph written by {@link #write}, checked as it is read: every node id and offset must lie in range, so a
   * damaged file is refused rather than walked.
   */
  static PackedHnswGraph read(DataInputStream in) throws IOException {
    if (in.readInt() != MAGIC || in.readInt() != VERSION) {
      throw new IOException("not an HNSW graph file of this version");
    }
    int size = in.readInt();
    int entryNode = in.readInt();
    int levels = in.readInt();
    if (size < 0 || levels < 0 || levels > 64 || (size > 0 && (entryNode < 0 || entryNode >= size))) {
      throw new IOException("bad header: " + size + " nodes, " + levels + " levels, entry " + entryNode);
    }
    int[][] nodes = new int[levels][];
    int[][] offsets = new int[levels][];
    int[][] neighbours = new int[levels][];
    for (int level = 0; level < levels; level++) {
      int[] onLevel = readInts(in, size);
      nodes[level] = level == 0 ? null : onLevel;
      int count = level == 0 ? size : onLevel.length;
      offsets[level] = readInts(in, count + 1);
      neighbours[level] = readInts(in, Integer.MAX_VALUE - 8);
      int[] offset = offsets[level];
      if (offset.length != count + 1 || offset[0] != 0 || offset[count] != neighbours[level].length) {
        throw new IOException("level " + level + ": offsets do not match its " + count + " nodes");
      }
      for (int i = 0; i < count; i++) {
        if (offset[i] > offset[i + 1]) {
          throw new IOException("level " + level + ": offsets are not increasing");
        }
      }
      for (int i = 1; i < onLevel.length; i++) {
        if (onLevel[i - 1] >= onLevel[i]) {
          throw new IOException("level " + level + ": nodes are not sorted");
        }
      }
      for (int[] ids : new int[][] {onLevel, neighbours[level]}) {
        for (int id : ids) {
          if (id < 0 || id >= size) {
            throw new IOException("level " + level + ": node " + id + " is outside 0.." + (size - 1));
          }
        }
      }
    }
    return new PackedHnswGraph(size, entryNode, nodes, offsets, neighbours);
  }

  private static void writeInts(DataOutputStream out, int[] values) throws IOException {
    out.writeInt(values.length);
    for (int v : values) {
      out.writeInt(v);
    }
  }

  private static int[] readInts(DataInputStream in, int max) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max) {
      throw new IOException("an array of " + n + " values, at most " + max + " expected");
    }
    int[] values = new int[n];
    for (int i = 0; i < n; i++) {
      values[i] = in.readInt();
    }
    return values;
  }

  private final class View extends HnswGraph {
    private int[] links;
    private int next;
    private int end;

    @Override
    public void seek(int level, int target) {
      int index = level == 0 ? target : Arrays.binarySearch(nodes[level], target);
      if (index < 0) {
        throw new IllegalArgumentException("node " + target + " is not on level " + level);
      }
      links = neighbours[level];
      next = offsets[level][index];
      end = offsets[level][index + 1];
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public int nextNeighbor() {
      return next < end ? links[next++] : Integer.MAX_VALUE;
    }

    @Override
    public int numLevels() {
      return offsets.length;
    }

    @Override
    public int entryNode() {
      return entryNode;
    }

    @Override
    public NodesIterator getNodesOnLevel(int level) {
      return level == 0 ? new ArrayNodesIterator(size) : new ArrayNodesIterator(nodes[level], nodes[level].length);
    }
  }
}
