package org.loradist.jobs.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.loradist.pipelines.ingest.InputFiles;

/**
 * A stable digest of a set of inputs (each file's path, length and modification time), so a rerun can tell
 * whether its inputs changed without reading them.
 */
public final class InputFingerprint {
  private InputFingerprint() {}

  public static String of(List<String> paths, Configuration hadoop) {
    List<String> lines = new ArrayList<>();
    try {
      for (String p : paths) {
        Path path = new Path(p);
        FileSystem fs = path.getFileSystem(hadoop);
        FileStatus[] matched = fs.globStatus(path);
        if (matched == null || matched.length == 0) {
          lines.add(p + " missing");
          continue;
        }
        for (FileStatus st : matched) {
          if (st.isDirectory()) {
            for (FileStatus file : InputFiles.filesUnder(fs, st.getPath())) {
              lines.add(describe(file));
            }
          } else {
            lines.add(describe(st));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list inputs " + paths + ": " + e.getMessage(), e);
    }
    lines.sort(null);
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String l : lines) {
        md.update(l.getBytes(StandardCharsets.UTF_8));
        md.update((byte) '\n');
      }
      return "sha256:" + HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String describe(FileStatus st) {
    return st.getPath() + " " + st.getLen() + " " + st.getModificationTime();
  }
}
