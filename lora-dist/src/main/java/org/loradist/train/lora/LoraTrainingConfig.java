package org.loradist.train.lora;

import java.io.Serializable;
import java.util.List;
import org.loradist.lora.LoraConfig;
import org.loradist.train.LrSchedule;
import org.loradist.train.TrainConfig;

/**
 * Everything a LoRA run needs besides its data. Build with {@link #builder(LoraTask)}; defaults follow common
 * LoRA practice for a MiniLM-size encoder.
 *
 * @param modelPath "default" or a Hugging Face model directory
 * @param maxTokens truncation, [CLS]/[SEP] included
 * @param lora adapters; for classification "classifier" is added to modules_to_save
 * @param workers data-parallel workers (Spark barrier tasks)
 * @param batchSize global batch per optimizer step, replay examples included
 * @param accumulationSteps micro-batches per step
 * @param maxSteps optimizer steps; 0 to derive them from {@code epochs}
 * @param epochs passes over the task examples when {@code maxSteps} is 0
 * @param lr peak learning rate (AdamW)
 * @param weightDecay decoupled weight decay (not on biases)
 * @param warmupRatio fraction of the steps spent in linear warmup
 * @param decay schedule after warmup
 * @param maxGradNorm global-norm clipping, 0 for none
 * @param seed data order, dropout masks and initialisation
 * @param segmentSteps steps per Spark barrier stage (a checkpoint at the end of each)
 * @param keepCheckpoints newest checkpoints kept, 0 for all
 * @param balancedClassWeights classification: weight classes by n / (classes · count), as scikit-learn's "balanced"
 * @param scale retrieval: similarity scale of InfoNCE
 * @param replayFraction share of each micro-batch drawn from the reference set (0 for no replay)
 * @param replayPenaltyWeight weight of the penalty holding replay outputs near the base model's (0 for none)
 * @param replayPenalty the penalty's kind; null picks LOGITS_KL for classification and causal LM (next-token KL),
 *     EMBEDDING_COSINE for retrieval
 * @param baseDropout whether the frozen encoder's own dropout is on (see {@link EncoderLoraSpec})
 */
public record LoraTrainingConfig(LoraTask task, String modelPath, int maxTokens, LoraConfig lora, int workers,
    int batchSize, int accumulationSteps, long maxSteps, double epochs, double lr, double weightDecay,
    double warmupRatio, LrSchedule.Decay decay, double maxGradNorm, long seed, int segmentSteps,
    int keepCheckpoints, boolean balancedClassWeights, double scale, double replayFraction,
    double replayPenaltyWeight, ReplayPenalty replayPenalty, boolean baseDropout) implements Serializable {

  public LoraTrainingConfig {
    if (task == null) {
      throw new IllegalArgumentException("task is required");
    }
    if (lora == null) {
      throw new IllegalArgumentException("a LoRA config is required");
    }
    if (task == LoraTask.CLASSIFICATION && !lora.modulesToSave().contains(ClassificationReplicaFactory.HEAD)) {
      List<String> save = new java.util.ArrayList<>(lora.modulesToSave());
      save.add(ClassificationReplicaFactory.HEAD);
      lora = lora.withModulesToSave(save);
    }
    if (maxSteps < 0 || (maxSteps == 0 && !(epochs > 0))) {
      throw new IllegalArgumentException("give max steps > 0 or epochs > 0 (got " + maxSteps + " steps, " + epochs
          + " epochs)");
    }
    if (!(warmupRatio >= 0 && warmupRatio < 1)) {
      throw new IllegalArgumentException("warmup ratio must be in [0, 1), got " + warmupRatio);
    }
    if (!(replayFraction >= 0 && replayFraction < 1)) {
      throw new IllegalArgumentException("replay fraction must be in [0, 1), got " + replayFraction);
    }
    if (replayPenaltyWeight > 0 && replayFraction == 0) {
      throw new IllegalArgumentException("a replay penalty needs replay (replay fraction > 0)");
    }
    if (replayPenalty == null) {
      replayPenalty = task == LoraTask.RETRIEVAL ? ReplayPenalty.EMBEDDING_COSINE : ReplayPenalty.LOGITS_KL;
    }
    if (batchSize < 1 || accumulationSteps < 1 || batchSize % accumulationSteps != 0) {
      throw new IllegalArgumentException("batch size " + batchSize + " must be a positive multiple of accumulation "
          + "steps " + accumulationSteps);
    }
    if (!(scale > 0)) {
      throw new IllegalArgumentException("similarity scale must be > 0, got " + scale);
    }
    // the remaining numbers are checked by TrainConfig, AdamWConfig and EncoderLoraSpec when the run is built
  }

  public static Builder builder(LoraTask task) {
    return new Builder(task);
  }

  public Builder toBuilder() {
    Builder b = new Builder(task);
    b.modelPath = modelPath;
    b.maxTokens = maxTokens;
    b.lora = lora;
    b.workers = workers;
    b.batchSize = batchSize;
    b.accumulationSteps = accumulationSteps;
    b.maxSteps = maxSteps;
    b.epochs = epochs;
    b.lr = lr;
    b.weightDecay = weightDecay;
    b.warmupRatio = warmupRatio;
    b.decay = decay;
    b.maxGradNorm = maxGradNorm;
    b.seed = seed;
    b.segmentSteps = segmentSteps;
    b.keepCheckpoints = keepCheckpoints;
    b.balancedClassWeights = balancedClassWeights;
    b.scale = scale;
    b.replayFraction = replayFraction;
    b.replayPenaltyWeight = replayPenaltyWeight;
    b.replayPenalty = replayPenalty;
    b.baseDropout = baseDropout;
    return b;
  }

  /** Replay examples per micro-batch: round(fraction · micro-batch), at least 1 when the fraction is above 0. */
  public int replayPerMicroBatch() {
    if (replayFraction == 0) {
      return 0;
    }
    int micro = batchSize / accumulationSteps;
    return Math.max(1, (int) Math.round(replayFraction * micro));
  }

  /** Task examples per optimizer step (what the trainer's data order draws). */
  public int taskExamplesPerStep() {
    return batchSize - replayPerMicroBatch() * accumulationSteps;
  }

  /** Mutable builder with defaults: MiniLM, 128 tokens, r 8 / alpha 16 / dropout 0.1 on query and value, 1 worker,
   *  batch 32, 1 epoch, lr 2e-4 (classification 1e-3: the head starts from scratch), 6% warmup then linear decay,
   *  clipping at 1, K = 50, scale 20, no replay. */
  public static final class Builder {
    private final LoraTask task;
    private String modelPath = "default";
    private int maxTokens = 128;
    private LoraConfig lora = LoraConfig.defaults();
    private int workers = 1;
    private int batchSize = 32;
    private int accumulationSteps = 1;
    private long maxSteps = 0;
    private double epochs = 1;
    private double lr;
    private double weightDecay = 0.01;
    private double warmupRatio = 0.06;
    private LrSchedule.Decay decay = LrSchedule.Decay.LINEAR;
    private double maxGradNorm = 1.0;
    private long seed = 42;
    private int segmentSteps = TrainConfig.DEFAULT_SEGMENT_STEPS;
    private int keepCheckpoints = 2;
    private boolean balancedClassWeights = false;
    private double scale = RetrievalReplicaFactory.DEFAULT_SCALE;
    private double replayFraction = 0;
    private double replayPenaltyWeight = 0;
    private ReplayPenalty replayPenalty = null;
    private boolean baseDropout = false;

    private Builder(LoraTask task) {
      this.task = task;
      this.lr = task == LoraTask.CLASSIFICATION ? 1e-3 : 2e-4;
    }

    public Builder modelPath(String v) { modelPath = v; return this; }
    public Builder maxTokens(int v) { maxTokens = v; return this; }
    public Builder lora(LoraConfig v) { lora = v; return this; }
    public Builder workers(int v) { workers = v; return this; }
    public Builder batchSize(int v) { batchSize = v; return this; }
    public Builder accumulationSteps(int v) { accumulationSteps = v; return this; }
    public Builder maxSteps(long v) { maxSteps = v; return this; }
    public Builder epochs(double v) { epochs = v; return this; }
    public Builder lr(double v) { lr = v; return this; }
    public Builder weightDecay(double v) { weightDecay = v; return this; }
    public Builder warmupRatio(double v) { warmupRatio = v; return this; }
    public Builder decay(LrSchedule.Decay v) { decay = v; return this; }
    public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder segmentSteps(int v) { segmentSteps = v; return this; }
    public Builder keepCheckpoints(int v) { keepCheckpoints = v; return this; }
    public Builder balancedClassWeights(boolean v) { balancedClassWeights = v; return this; }
    public Builder scale(double v) { scale = v; return this; }
    public Builder replay(double fraction, double penaltyWeight) {
      replayFraction = fraction;
      replayPenaltyWeight = penaltyWeight;
      return this;
    }
    public Builder replayPenalty(ReplayPenalty v) { replayPenalty = v; return this; }
    public Builder baseDropout(boolean v) { baseDropout = v; return this; }

    public LoraTrainingConfig build() {
      return new LoraTrainingConfig(task, modelPath, maxTokens, lora, workers, batchSize, accumulationSteps,
          maxSteps, epochs, lr, weightDecay, warmupRatio, decay, maxGradNorm, seed, segmentSteps, keepCheckpoints,
          balancedClassWeights, scale, replayFraction, replayPenaltyWeight, replayPenalty, baseDropout);
    }
  }
}
