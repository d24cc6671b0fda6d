package org.loradist.pipelines.ingest;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Turns the user's input paths (files, directories, Hadoop globs) into the list of files to read, on the driver. */
public final class InputFiles {
  private InputFiles() {}

  /** One file to read: its qualified path (the {@code source} of its records), size and modification time. */
  public record InputFile(String path, long length, long modificationTime) implements Serializable {}

  /**
   * Every file under {@code paths}, sorted by path, each once. A directory is listed recursively and a glob is
   * expanded, both skipping names that start with {@code _} or {@code .} (Spark/Hadoop markers such as
   * {@code _SUCCESS}, {@code .crc}, {@code _temporary}); a file named explicitly is always read.
   *
   * @throws IllegalArgumentException naming the path when one matches no file
   */
  public static List<InputFile> resolve(Configuration conf, List<String> paths) {
    if (paths == null || paths.isEmpty()) {
      throw new IllegalArgumentException("no input paths given");
    }
    Map<String, InputFile> files = new TreeMap<>();
    for (String spec : paths) {
      if (spec == null || spec.isBlank()) {
        throw new IllegalArgumentException("empty input path in " + paths);
      }
      boolean matchedAny = false;
      int found = 0;
      try {
        Path pattern = new Path(spec.strip());
        FileSystem fs = pattern.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(pattern);
        boolean glob = isGlob(spec);
        if (matches != null) {
          for (FileStatus match : matches) {
            matchedAny = true;
            if (glob && isHiddenName(match.getPath().getName())) {
              continue; // as Spark's own file index: a glob does not pick up _SUCCESS, .crc, _temporary
            }
            if (match.isDirectory()) {
              for (FileStatus file : filesUnder(fs, match.getPath())) {
                if (!isHidden(match.getPath(), file.getPath())) {
                  add(files, file);
                  found++;
                }
              }
            } else {
              add(files, match);
              found++;
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list input path " + spec + ": " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid input path " + spec + ": " + e.getMessage(), e);
      }
      if (!matchedAny) {
        throw new IllegalArgumentException("input path matches no file: " + spec);
      }
      if (found == 0) {
        throw new IllegalArgumentException("input path holds no file (only empty or hidden ones): " + spec);
      }
    }
    return List.copyOf(files.values());
  }

  /**
   * Splits the files into at most {@code maxGroups} groups of about equal bytes (largest first onto the lightest
   * group), each group sorted by path: one Spark partition per group. Deterministic for a given file list.
   */
  public static List<List<InputFile>> balance(List<InputFile> files, int maxGroups) {
    int groups = Math.max(1, Math.min(files.size(), maxGroups));
    List<List<InputFile>> result = new ArrayList<>();
    PriorityQueue<long[]> lightest = new PriorityQueue<>(
        Comparator.<long[]>comparingLong(g -> g[0]).thenComparingLong(g -> g[1]));
    for (int i = 0; i < groups; i++) {
      result.add(new ArrayList<>());
      lightest.add(new long[] {0, i});
    }
    List<InputFile> bySize = new ArrayList<>(files);
    bySize.sort(Comparator.comparingLong(InputFile::length).reversed().thenComparing(InputFile::path));
    for (InputFile file : bySize) {
      long[] group = lightest.poll();
      result.get((int) group[1]).add(file);
      group[0] += Math.max(file.length(), 1);
      lightest.add(group);
    }
    for (List<InputFile> group : result) {
      group.sort(Comparator.comparing(InputFile::path));
    }
    result.removeIf(List::isEmpty);
    return result;
  }

  /**
   * Every file below {@code dir}, at any depth. By listStatus rather than listFiles: listFiles wraps each file in a
   * LocatedFileStatus, which on the local file system (without Hadoop's native library) starts an {@code ls -ld}
   * process per file for permissions nobody reads here; for the PostgreSQL manual (1,169 pages, listed once to read and
   * once to fingerprint) those processes were most of prep's reading time.
   */
  public static List<FileStatus> filesUnder(FileSystem fs, Path dir) throws IOException {
    List<FileStatus> files = new ArrayList<>();
    Deque<Path> pending = new ArrayDeque<>(List.of(dir));
    while (!pending.isEmpty()) {
      for (FileStatus status : fs.listStatus(pending.pop())) {
        if (status.isDirectory()) {
          pending.push(status.getPath());
        } else {
          files.add(status);
        }
      }
    }
    return files;
  }

  private static void add(Map<String, InputFile> files, FileStatus status) {
    String path = status.getPath().toString();
    files.putIfAbsent(path, new InputFile(path, status.getLen(), status.getModificationTime()));
  }

  /** A path component below the listed directory that starts with _ or . (markers, checksums, temp dirs). */
  private static boolean isHidden(Path root, Path file) {
    String rootString = root.toString();
    String relative = file.toString().substring(Math.min(rootString.length(), file.toString().length()));
    for (String part : relative.split("/")) {
      if (isHiddenName(part)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isHiddenName(String name) {
    return name.startsWith("_") || name.startsWith(".");
  }

  private static boolean isGlob(String spec) {
    return spec.indexOf('*') >= 0 || spec.indexOf('?') >= 0 || spec.indexOf('[') >= 0 || spec.indexOf('{') >= 0;
  }
}
