package org.loradist.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.List;
import java.util.Random;
import org.apache.spark.TaskContext;

/** A 2-layer MLP classifier (Linear-ReLU-Linear, cross-entropy) on DJL's PyTorch engine with autograd. */
final class MlpReplica implements Replica<Labeled> {
  /** How a test makes a worker fail: not at all, throw (task failure), or halt the JVM (executor lost). */
  enum Failure { NONE, THROW, HALT }

  /** Factory; {@code failAtStep} (0-based) fails rank 1 there in the first attempt of its stage. */
  record Factory(int in, int hidden, int classes, long initSeed, Failure failure, long failAtStep)
      implements ReplicaFactory<Labeled> {
    Factory(int in, int hidden, int classes, long initSeed) {
      this(in, hidden, classes, initSeed, Failure.NONE, -1);
    }

    @Override
    public String id() {
      return "mlp-" + in + "-" + hidden + "-" + classes + "-" + initSeed + "-" + failure + "-" + failAtStep;
    }

    @Override
    public Replica<Labeled> create() {
      return new MlpReplica(this);
    }
  }

  private final Factory f;
  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  private final List<TensorSpec> specs;
  private float[][] values;

  MlpReplica(Factory f) {
    this.f = f;
    this.specs = List.of(new TensorSpec("fc1.weight", new int[] {f.hidden, f.in}),
        new TensorSpec("fc1.bias", new int[] {f.hidden}),
        new TensorSpec("fc2.weight", new int[] {f.classes, f.hidden}),
        new TensorSpec("fc2.bias", new int[] {f.classes}));
  }

  @Override
  public List<TensorSpec> trainableSpecs() {
    return specs;
  }

  @Override
  public float[][] initialTrainable() {
    Random rng = new Random(f.initSeed);
    double b1 = 1 / Math.sqrt(f.in);
    double b2 = 1 / Math.sqrt(f.hidden);
    return new float[][] {TestData.uniform(rng, f.hidden * f.in, b1), TestData.uniform(rng, f.hidden, b1),
        TestData.uniform(rng, f.classes * f.hidden, b2), TestData.uniform(rng, f.classes, b2)};
  }

  @Override
  public void setTrainable(float[][] v) {
    float[][] copy = new float[v.length][];
    for (int i = 0; i < v.length; i++) {
      copy[i] = v[i].clone();
    }
    values = copy;
  }

  @Override
  public StepResult gradients(List<Labeled> shard, List<float[]> gathered, StepInfo info) {
    maybeFail(info);
    int n = shard.size();
    float[] x = new float[n * f.in];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(shard.get(i).features(), 0, x, i * f.in, f.in);
      labels[i] = shard.get(i).label();
    }
    try (NDManager m = manager.newSubManager(); Autograd ag = Autograd.record()) {
      NDArray[] params = new NDArray[specs.size()];
      for (int t = 0; t < params.length; t++) {
        params[t] = m.create(values[t], new Shape(toLongs(specs.get(t).shape())));
        params[t].setRequiresGradient(true);
      }
      NDArray input = m.create(x, new Shape(n, f.in));
      NDArray hidden = Activation.relu(input.matMul(params[0].transpose()).add(params[1]));
      NDArray logits = hidden.matMul(params[2].transpose()).add(params[3]);
      NDArray picked = logits.logSoftmax(1).mul(m.create(labels).oneHot(f.classes)).sum(new int[] {1});
      NDArray loss = picked.sum().neg().div(info.examplesPerStep());
      ag.backward(loss);
      float[][] grads = new float[params.length][];
      for (int t = 0; t < params.length; t++) {
        grads[t] = params[t].getGradient().toFloatArray();
      }
      return new StepResult(loss.getFloat(), grads, 0);
    }
  }

  private void maybeFail(StepInfo info) {
    TaskContext ctx = TaskContext.get();
    if (f.failure == Failure.NONE || info.step() != f.failAtStep || info.rank() != 1 || ctx == null
        || ctx.stageAttemptNumber() != 0) {
      return;
    }
    if (f.failure == Failure.HALT) {
      Runtime.getRuntime().halt(137); // as a kill -9 of the executor JVM: no shutdown hooks, no goodbye
    }
    throw new IllegalStateException("injected failure at step " + info.step() + " rank " + info.rank());
  }

  static long[] toLongs(int[] shape) {
    long[] s = new long[shape.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = shape[i];
    }
    return s;
  }

  @Override
  public void close() {
    manager.close();
  }
}
