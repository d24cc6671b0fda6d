package org.loradist.train;

import java.util.List;
import java.util.Map;

/**
 * A finished run.
 *
 * @param state final tensors, moments, step and cursor
 * @param metrics one entry per step run by this call (not the steps before a resume)
 * @param lastCheckpoint Hadoop path of the checkpoint holding {@code state}
 * @param segments barrier stages run
 * @param wallSeconds of this call
 * @param replicasBuilt per executor id, how many replicas that JVM has built for this factory id (its frozen
 *     weights loaded that many times): one per concurrently running task, however many steps and segments
 */
public record TrainResult(TrainState state, List<StepMetrics> metrics, String lastCheckpoint, int segments,
    double wallSeconds, Map<String, Integer> replicasBuilt) {
}
