package org.loradist.train;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Wraps a factory so that, once per run, the worker of rank {@code rank} stops at step {@code pauseAtStep}: it
 * writes its JVM's pid to {@code markerFile} and sleeps, so that a test can SIGKILL that executor JVM while the
 * segment is in flight. The marker is created atomically, so only the first arrival in any JVM pauses; the retried
 * segment runs straight through. Everything else delegates, so the numbers are the wrapped factory's.
 *
 * <p>Works only where the executors share the driver's file system (a cluster on this machine).
 */
record PausingReplicaFactory<E extends Serializable>(ReplicaFactory<E> inner, long pauseAtStep, int rank,
    String markerFile, long maxPauseMillis) implements ReplicaFactory<E> {

  @Override
  public String id() {
    // A distinct cache key, so the replicas this run builds are counted apart from the wrapped factory's.
    return inner.id() + "+pause@" + pauseAtStep + "/" + rank;
  }

  @Override
  public Replica<E> create() {
    Replica<E> replica = inner.create();
    return new Replica<>() {
      @Override
      public List<TensorSpec> trainableSpecs() {
        return replica.trainableSpecs();
      }

      @Override
      public float[][] initialTrainable() {
        return replica.initialTrainable();
      }

      @Override
      public void setTrainable(float[][] values) {
        replica.setTrainable(values);
      }

      @Override
      public boolean gathers() {
        return replica.gathers();
      }

      @Override
      public float[] gatherPayload(List<E> shard, StepInfo info) {
        return replica.gatherPayload(shard, info);
      }

      @Override
      public StepResult gradients(List<E> shard, List<float[]> gathered, StepInfo info) {
        maybePause(info);
        return replica.gradients(shard, gathered, info);
      }

      @Override
      public void close() {
        replica.close();
      }
    };
  }

  private void maybePause(StepInfo info) {
    if (info.step() != pauseAtStep || info.rank() != rank || info.microBatch() != 0) {
      return;
    }
    Path marker = Paths.get(markerFile);
    Path claim = marker.resolveSibling(marker.getFileName() + ".claim");
    Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
    try {
      Files.createFile(claim); // atomic: exactly one arrival, in any JVM, pauses
    } catch (FileAlreadyExistsException alreadyPaused) {
      return; // the retried segment: run on
    } catch (IOException e) {
      throw new UncheckedIOException("cannot claim the pause marker " + claim, e);
    }
    try {
      // Write, then rename, so the test never reads a half-written pid.
      Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
      Files.move(tmp, marker);
      Thread.sleep(maxPauseMillis);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish the pause marker " + markerFile, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new IllegalStateException("paused at step " + pauseAtStep + " for " + maxPauseMillis
        + " ms and nobody killed this executor (pid " + ProcessHandle.current().pid() + ")");
  }
}
