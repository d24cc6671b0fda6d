package org.loradist.train;

import java.io.Serializable;
import java.util.List;

/** What one barrier task reports at the end of a segment. Metrics and the checkpoint path come from rank 0. */
record SegmentResult(int rank, String executorId, int replicasBuilt, long stateFingerprint, long step,
    List<StepMetrics> metrics, StepLoop.Divergence divergence, String checkpoint) implements Serializable {
}
