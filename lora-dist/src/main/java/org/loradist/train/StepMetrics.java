package org.loradist.train;

import java.io.Serializable;
import java.util.Locale;

/**
 * One optimizer step as measured on rank 0.
 *
 * @param step 1-based number of updates applied after this step
 * @param loss mean loss of the step's global batch
 * @param lr learning rate used
 * @param gradNorm global gradient norm before clipping
 * @param examples examples in the step
 * @param tokens tokens in the step (0 if the replica does not count them)
 * @param stepSeconds wall time of the step on rank 0, exchange included
 * @param elapsedSeconds since the start of this train() call, as seen by the driver
 * @param exchangeBytesSent bytes of the messages rank 0 sent in this step's all-gathers (gradient contribution,
 *     and phase-1 payloads where the replica gathers); see {@link CountingExchange}
 * @param exchangeBytesReceived bytes of all workers' messages handed back to rank 0 in this step's all-gathers:
 *     also what all workers together sent up
 * @param exchangeSeconds time rank 0 spent inside all-gathers (round trip plus waiting for the slowest worker)
 */
public record StepMetrics(long step, double loss, double lr, double gradNorm, int examples, long tokens,
    double stepSeconds, double elapsedSeconds, long exchangeBytesSent, long exchangeBytesReceived,
    double exchangeSeconds) implements Serializable {

  public double examplesPerSecond() {
    return stepSeconds > 0 ? examples / stepSeconds : 0;
  }

  public double tokensPerSecond() {
    return stepSeconds > 0 ? tokens / stepSeconds : 0;
  }

  StepMetrics withElapsed(double elapsed) {
    return new StepMetrics(step, loss, lr, gradNorm, examples, tokens, stepSeconds, elapsed, exchangeBytesSent,
        exchangeBytesReceived, exchangeSeconds);
  }

  /** One metrics.jsonl line. */
  public String toJson() {
    return String.format(Locale.ROOT,
        "{\"step\":%d,\"loss\":%s,\"lr\":%s,\"grad_norm\":%s,\"examples_per_s\":%.3f,\"tokens_per_s\":%.3f,"
            + "\"elapsed_s\":%.3f,\"exchange_bytes_sent\":%d,\"exchange_bytes_received\":%d,\"exchange_s\":%.4f}",
        step, num(loss), num(lr), num(gradNorm), examplesPerSecond(), tokensPerSecond(), elapsedSeconds,
        exchangeBytesSent, exchangeBytesReceived, exchangeSeconds);
  }

  private static String num(double x) {
    return Double.isFinite(x) ? Double.toString(x) : "\"" + x + "\"";
  }
}
