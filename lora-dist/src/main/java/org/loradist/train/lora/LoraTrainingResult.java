package org.loradist.train.lora;

import java.util.List;
import org.loradist.lora.PeftAdapter;
import org.loradist.train.TrainResult;

/**
 * A finished LoRA run.
 *
 * @param training the trainer's result: final tensors, per-step metrics, last checkpoint, wall time
 * @param adapter the trained adapter as written to {@code adapterDir}
 * @param adapterDir {@code OUTPUT/adapter} (PEFT layout)
 * @param labels class names by index (classification), empty otherwise
 * @param taskExamples examples trained on
 * @param steps optimizer steps
 * @param replayPerMicroBatch reference examples in each micro-batch
 * @param replayFraction the share of each batch that was replay, as realised
 * @param trainableParameters floats trained (adapters and head)
 * @param tokensPerSecond mean training throughput over all steps (rank 0's step times)
 * @param finalLoss mean loss of the last 10% of steps
 */
public record LoraTrainingResult(TrainResult training, PeftAdapter adapter, String adapterDir, List<String> labels,
    int taskExamples, long steps, int replayPerMicroBatch, double replayFraction, long trainableParameters,
    double tokensPerSecond, double finalLoss) {
}
