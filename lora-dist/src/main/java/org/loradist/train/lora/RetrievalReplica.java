package org.loradist.train.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.loradist.lora.Scalars;
import org.loradist.text.TokenizedText;
import org.loradist.train.Autograd;
import org.loradist.train.DataOrder;
import org.loradist.train.StepInfo;
import org.loradist.train.StepResult;
import org.loradist.train.TensorSpec;

/**
 * GradCache in the trainer's two phases. Phase 1: embed this worker's queries and passages (task rows, then its
 * replay rows) without gradients; the trainer all-gathers them. Phase 2: the symmetric InfoNCE loss over every
 * gathered row, with the embeddings as leaves, gives the loss's gradient with respect to this worker's own
 * embeddings; re-embedding the own rows with gradients (the same per-example dropout masks, so the same values) and
 * back-propagating {@code sum(embedding · cached gradient)} carries it into the adapters. Memory stays that of one
 * shard while the negatives are the whole global micro-batch.
 */
final class RetrievalReplica extends LoraEncoderReplica<TextPair> {
  private static final long QUERY = 0x71L;
  private static final long PASSAGE = 0x70L;

  private final RetrievalReplicaFactory f;
  private final ReplayPlan replayPlan;
  private final int hidden;

  RetrievalReplica(RetrievalReplicaFactory f) {
    super(f.spec());
    this.f = f;
    this.hidden = model.config().hiddenSize();
    this.replayPlan = ReplayPlan.of(f.replay());
  }

  @Override
  public List<TensorSpec> trainableSpecs() {
    return adapters.specs();
  }

  @Override
  public float[][] initialTrainable() {
    return adapters.initialValues(spec.initSeed());
  }

  @Override
  public boolean gathers() {
    return true;
  }

  private static long[] salted(long[] seeds, long salt) {
    long[] out = new long[seeds.length];
    for (int i = 0; i < seeds.length; i++) {
      out[i] = DataOrder.mix(seeds[i], salt);
    }
    return out;
  }

  private NDArray embed(NDManager m, List<TokenizedText> texts, long[] seeds) {
    return pooled(m, texts, seeds, true).normalize(2, -1, 1e-12);
  }

  @Override
  public float[] gatherPayload(List<TextPair> shard, StepInfo info) {
    ReplayPlan.WorkerRows<TextPair> rows = replayPlan.workerRows(shard, f.replay().examples(), info);
    List<TokenizedText> q = tokenize(rows.examples().stream().map(TextPair::query).toList());
    List<TokenizedText> p = tokenize(rows.examples().stream().map(TextPair::passage).toList());
    try (NDManager m = manager.newSubManager()) {
      adapters.bind(m, values(), false);
      float[] eq = embed(m, q, salted(rows.seeds(), QUERY)).toFloatArray();
      float[] ep = embed(m, p, salted(rows.seeds(), PASSAGE)).toFloatArray();
      float[] payload = new float[eq.length + ep.length];
      System.arraycopy(eq, 0, payload, 0, eq.length);
      System.arraycopy(ep, 0, payload, eq.length, ep.length);
      return payload;
    }
  }

  @Override
  public StepResult gradients(List<TextPair> shard, List<float[]> gathered, StepInfo info) {
    if (gathered.size() != info.workers()) {
      throw new IllegalStateException("expected " + info.workers() + " gathered payloads, got " + gathered.size());
    }
    ReplayPlan.WorkerRows<TextPair> rows = replayPlan.workerRows(shard, f.replay().examples(), info);
    int own = rows.examples().size();
    int offset = 0;
    int total = 0;
    for (int r = 0; r < gathered.size(); r++) {
      int n = gathered.get(r).length / (2 * hidden);
      if (r < info.rank()) {
        offset += n;
      }
      total += n;
    }
    if (gathered.get(info.rank()).length != 2 * own * hidden) {
      throw new IllegalStateException("own payload holds " + gathered.get(info.rank()).length / (2 * hidden)
          + " rows, the shard has " + own);
    }
    float[] qAll = new float[total * hidden];
    float[] pAll = new float[total * hidden];
    int at = 0;
    for (float[] payload : gathered) {
      int n = payload.length / (2 * hidden);
      System.arraycopy(payload, 0, qAll, at * hidden, n * hidden);
      System.arraycopy(payload, n * hidden, pAll, at * hidden, n * hidden);
      at += n;
    }
    double denominator = replayPlan.examplesPerStep(info);
    List<TokenizedText> q = tokenize(rows.examples().stream().map(TextPair::query).toList());
    List<TokenizedText> p = tokenize(rows.examples().stream().map(TextPair::passage).toList());
    long[] qSeeds = salted(rows.seeds(), QUERY);
    long[] pSeeds = salted(rows.seeds(), PASSAGE);
    float[][] v = values();

    try (NDManager m = manager.newSubManager()) {
      // base embeddings of own replay rows, for the penalty (adapters off, no dropout)
      NDArray qBase = null;
      NDArray pBase = null;
      int replayRows = own - rows.taskRows();
      if (f.replay().penalised() && replayRows > 0) {
        adapters.bind(m, v, false);
        adapters.setEnabled(false);
        try {
          qBase = pooled(m, q.subList(rows.taskRows(), own), new long[replayRows], false).normalize(2, -1, 1e-12);
          pBase = pooled(m, p.subList(rows.taskRows(), own), new long[replayRows], false).normalize(2, -1, 1e-12);
        } finally {
          adapters.setEnabled(true);
        }
      }

      float[] gq;
      float[] gp;
      double localLoss;
      try (Autograd ag = Autograd.record()) {
        NDArray qa = m.create(qAll, new Shape(total, hidden));
        NDArray pa = m.create(pAll, new Shape(total, hidden));
        qa.setRequiresGradient(true);
        pa.setRequiresGradient(true);
        NDArray sim = Scalars.times(qa.matMul(pa.transpose()), f.scale());
        NDArray rowLoss = sim.logSoftmax(1).mul(m.eye(total)).sum(new int[] {1}).neg();
        NDArray colLoss = sim.logSoftmax(0).mul(m.eye(total)).sum(new int[] {0}).neg();
        NDArray perExample = Scalars.times(rowLoss.add(colLoss), 0.5);
        NDArray ownRows = perExample.get("{}:{}", offset, offset + own);
        NDArray lossSum = perExample.sum();
        NDArray ownLoss = ownRows.sum();
        if (qBase != null) {
          int from = offset + rows.taskRows();
          NDArray qr = qa.get("{}:{}", from, offset + own);
          NDArray pr = pa.get("{}:{}", from, offset + own);
          NDArray penalty = Scalars.times(qr.mul(qBase).sum(new int[] {1}).neg().add(1f).sum()
              .add(pr.mul(pBase).sum(new int[] {1}).neg().add(1f).sum()), f.replay().penaltyWeight());
          lossSum = lossSum.add(penalty);
          ownLoss = ownLoss.add(penalty);
        }
        ag.backward(Scalars.over(lossSum, denominator));
        localLoss = ownLoss.getFloat() / denominator;
        gq = qa.getGradient().get("{}:{}", offset, offset + own).toFloatArray();
        gp = pa.getGradient().get("{}:{}", offset, offset + own).toFloatArray();
      }

      try (Autograd ag = Autograd.record()) {
        List<NDArray> leaves = adapters.bind(m, v, true);
        NDArray eq = embed(m, q, qSeeds);
        NDArray ep = embed(m, p, pSeeds);
        NDArray surrogate = eq.mul(m.create(gq, new Shape(own, hidden))).sum()
            .add(ep.mul(m.create(gp, new Shape(own, hidden))).sum());
        ag.backward(surrogate);
        return new StepResult(localLoss, gradients(leaves), tokenCount(q) + tokenCount(p));
      }
    }
  }
}
