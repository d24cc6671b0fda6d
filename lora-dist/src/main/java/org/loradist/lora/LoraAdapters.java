package org.loradist.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.loradist.train.DataOrder;
import org.loradist.train.TensorSpec;

/**
 * The adapters injected into one encoder, in forward order, and their tensors as the trainer sees them: for each
 * wrapped module {@code m}, {@code m.lora_A.weight} [r, in] then {@code m.lora_B.weight} [out, r].
 */
public final class LoraAdapters {
  private final LoraConfig config;
  private final Map<String, LoraLinear> layers;

  LoraAdapters(LoraConfig config, Map<String, LoraLinear> layers) {
    this.config = config;
    this.layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
  }

  public LoraConfig config() {
    return config;
  }

  /** Wrapped module names (Hugging Face names, without any model prefix), in forward order. */
  public List<String> moduleNames() {
    return List.copyOf(layers.keySet());
  }

  public LoraLinear layer(String moduleName) {
    LoraLinear l = layers.get(moduleName);
    if (l == null) {
      throw new IllegalArgumentException("no adapter on module '" + moduleName + "' (adapters: " + layers.keySet()
          + ")");
    }
    return l;
  }

  public List<LoraLinear> layers() {
    return List.copyOf(layers.values());
  }

  public static String loraAName(String module) {
    return module + ".lora_A.weight";
  }

  public static String loraBName(String module) {
    return module + ".lora_B.weight";
  }

  /** Names and shapes of the adapter tensors, A then B per module. */
  public List<TensorSpec> specs() {
    List<TensorSpec> specs = new ArrayList<>();
    for (LoraLinear l : layers.values()) {
      specs.add(new TensorSpec(loraAName(l.moduleName()), new int[] {l.rank(), (int) l.inFeatures()}));
      specs.add(new TensorSpec(loraBName(l.moduleName()), new int[] {(int) l.outFeatures(), l.rank()}));
    }
    return specs;
  }

  /**
   * PEFT's initialisation: A Kaiming-uniform (torch's nn.Linear default, a = sqrt(5): bound 1/sqrt(in)), B zero, so
   * the adapted model starts as the base model. A of the i-th adapter is drawn from a generator seeded by
   * {@code seed} and i only.
   */
  public float[][] initialValues(long seed) {
    float[][] values = new float[layers.size() * 2][];
    int i = 0;
    for (LoraLinear l : layers.values()) {
      int in = (int) l.inFeatures();
      float[] a = new float[l.rank() * in];
      double bound = 1.0 / Math.sqrt(in);
      SplittableRandom rng = new SplittableRandom(DataOrder.mix(seed, i));
      for (int k = 0; k < a.length; k++) {
        a[k] = (float) ((rng.nextDouble() * 2 - 1) * bound);
      }
      values[2 * i] = a;
      values[2 * i + 1] = new float[(int) l.outFeatures() * l.rank()];
      i++;
    }
    return values;
  }

  /**
   * Creates the adapter tensors from {@code values} (in {@link #specs()} order) in {@code manager}, optionally as
   * autograd leaves, and puts them into the layers. Returns them in the same order, to read gradients from.
   */
  public List<NDArray> bind(NDManager manager, float[][] values, boolean requireGradients) {
    List<TensorSpec> specs = specs();
    if (values.length < specs.size()) {
      throw new IllegalArgumentException(specs.size() + " adapter tensors expected, got " + values.length);
    }
    List<NDArray> arrays = new ArrayList<>(specs.size());
    for (int t = 0; t < specs.size(); t++) {
      TensorSpec s = specs.get(t);
      if (values[t].length != s.size()) {
        throw new IllegalArgumentException(s + " needs " + s.size() + " values, got " + values[t].length);
      }
      int[] dims = s.shape();
      NDArray x = manager.create(values[t], new Shape(dims[0], dims[1]));
      if (requireGradients) {
        x.setRequiresGradient(true);
      }
      arrays.add(x);
    }
    int i = 0;
    for (LoraLinear l : layers.values()) {
      l.setWeights(arrays.get(2 * i), arrays.get(2 * i + 1));
      i++;
    }
    return arrays;
  }

  /** Switches every adapter on or off (off: the encoder is the base model). */
  public void setEnabled(boolean on) {
    layers.values().forEach(l -> l.setEnabled(on));
  }

  /** Per-example dropout for the next forwards (null: the forward context's dropout, if any). */
  public void setExampleDropout(ExampleDropout plan) {
    layers.values().forEach(l -> l.setExampleDropout(plan));
  }

  /** Folds every adapter into a merged copy of its weight, held by {@code manager}. */
  public void merge(NDManager manager) {
    layers.values().forEach(l -> l.merge(manager));
  }

  public void unmerge() {
    layers.values().forEach(LoraLinear::unmerge);
  }
}
