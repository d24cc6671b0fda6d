package org.loradist.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A linear projection trained with symmetric InfoNCE over in-batch negatives, GradCache-style: phase 1 embeds the
 * shard without gradients; phase 2 takes the loss over the whole gathered micro-batch with the embeddings as
 * leaves, then back-propagates the cached embedding gradients of its own rows through the projection. With
 * {@code crossWorker = false} it only uses its own shard as negatives (the control that must not match).
 */
final class ContrastiveReplica implements Replica<Pair> {
  record Factory(int dims, int out, double scale, long initSeed, boolean crossWorker)
      implements ReplicaFactory<Pair> {
    @Override
    public String id() {
      return "contrastive-" + dims + "-" + out + "-" + scale + "-" + initSeed + "-" + crossWorker;
    }

    @Override
    public Replica<Pair> create() {
      return new ContrastiveReplica(this);
    }
  }

  private final Factory f;
  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  private final List<TensorSpec> specs;
  private float[][] values;

  ContrastiveReplica(Factory f) {
    this.f = f;
    this.specs = List.of(new TensorSpec("proj.weight", new int[] {f.out, f.dims}),
        new TensorSpec("proj.bias", new int[] {f.out}));
  }

  @Override
  public List<TensorSpec> trainableSpecs() {
    return specs;
  }

  @Override
  public float[][] initialTrainable() {
    Random rng = new Random(f.initSeed);
    return new float[][] {TestData.uniform(rng, f.out * f.dims, 1 / Math.sqrt(f.dims)),
        TestData.uniform(rng, f.out, 0.1)};
  }

  @Override
  public void setTrainable(float[][] v) {
    values = new float[][] {v[0].clone(), v[1].clone()};
  }

  @Override
  public boolean gathers() {
    return true;
  }

  @Override
  public float[] gatherPayload(List<Pair> shard, StepInfo info) {
    try (NDManager m = manager.newSubManager()) {
      NDArray w = m.create(values[0], new Shape(f.out, f.dims));
      NDArray b = m.create(values[1], new Shape(f.out));
      float[] q = embed(m, queries(shard), shard.size(), w, b).toFloatArray();
      float[] p = embed(m, passages(shard), shard.size(), w, b).toFloatArray();
      float[] payload = new float[q.length + p.length];
      System.arraycopy(q, 0, payload, 0, q.length);
      System.arraycopy(p, 0, payload, q.length, p.length);
      return payload;
    }
  }

  @Override
  public StepResult gradients(List<Pair> shard, List<float[]> gathered, StepInfo info) {
    List<float[]> span = f.crossWorker ? gathered : List.of(gathered.get(info.rank()));
    int offset = 0;
    if (f.crossWorker) {
      for (int r = 0; r < info.rank(); r++) {
        offset += gathered.get(r).length / (2 * f.out);
      }
    }
    int n = shard.size();
    List<float[]> qs = new ArrayList<>();
    List<float[]> ps = new ArrayList<>();
    int total = 0;
    for (float[] payload : span) {
      int rows = payload.length / (2 * f.out);
      qs.add(java.util.Arrays.copyOfRange(payload, 0, rows * f.out));
      ps.add(java.util.Arrays.copyOfRange(payload, rows * f.out, 2 * rows * f.out));
      total += rows;
    }
    try (NDManager m = manager.newSubManager()) {
      float[] gq;
      float[] gp;
      double localLoss;
      try (Autograd ag = Autograd.record()) {
        NDArray q = m.create(concat(qs), new Shape(total, f.out));
        NDArray p = m.create(concat(ps), new Shape(total, f.out));
        q.setRequiresGradient(true);
        p.setRequiresGradient(true);
        NDArray sim = q.matMul(p.transpose()).mul(f.scale);
        NDArray eye = m.eye(total);
        NDArray rowLoss = sim.logSoftmax(1).mul(eye).sum(new int[] {1}).neg();
        NDArray colLoss = sim.logSoftmax(0).mul(eye).sum(new int[] {0}).neg();
        NDArray perExample = rowLoss.add(colLoss).div(2);
        NDArray loss = perExample.sum().div(info.examplesPerStep());
        ag.backward(loss);
        float[] all = perExample.toFloatArray();
        double s = 0;
        for (int i = offset; i < offset + n; i++) {
          s += all[i];
        }
        localLoss = s / info.examplesPerStep();
        gq = q.getGradient().get("{}:{}", offset, offset + n).toFloatArray();
        gp = p.getGradient().get("{}:{}", offset, offset + n).toFloatArray();
      }
      try (Autograd ag = Autograd.record()) {
        NDArray w = m.create(values[0], new Shape(f.out, f.dims));
        NDArray b = m.create(values[1], new Shape(f.out));
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        NDArray eq = embed(m, queries(shard), n, w, b);
        NDArray ep = embed(m, passages(shard), n, w, b);
        NDArray surrogate = eq.mul(m.create(gq, new Shape(n, f.out))).sum()
            .add(ep.mul(m.create(gp, new Shape(n, f.out))).sum());
        ag.backward(surrogate);
        return new StepResult(localLoss,
            new float[][] {w.getGradient().toFloatArray(), b.getGradient().toFloatArray()}, 0);
      }
    }
  }

  private NDArray embed(NDManager m, float[] x, int n, NDArray w, NDArray b) {
    NDArray e = m.create(x, new Shape(n, f.dims)).matMul(w.transpose()).add(b);
    return e.div(e.square().sum(new int[] {1}, true).sqrt());
  }

  private float[] queries(List<Pair> shard) {
    List<float[]> rows = new ArrayList<>();
    for (Pair p : shard) {
      rows.add(p.query());
    }
    return concat(rows);
  }

  private float[] passages(List<Pair> shard) {
    List<float[]> rows = new ArrayList<>();
    for (Pair p : shard) {
      rows.add(p.passage());
    }
    return concat(rows);
  }

  private static float[] concat(List<float[]> parts) {
    int n = 0;
    for (float[] a : parts) {
      n += a.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] a : parts) {
      System.arraycopy(a, 0, out, at, a.length);
      at += a.length;
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }
}
