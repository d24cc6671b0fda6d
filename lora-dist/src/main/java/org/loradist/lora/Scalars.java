package org.loradist.lora;

import ai.djl.ndarray.NDArray;

/**
 * Multiplying or dividing by a constant on a path that autograd will back-propagate through.
 *
 * <p>Why not {@code x.mul(2f)}: DJL's PyTorch engine turns the number into a 0-d tensor over a Java direct buffer,
 * runs the op and closes that tensor at once. Autograd keeps the operand for the backward pass ({@code d(x s)/dx =
 * s}), so the backward then reads memory the JVM may already have freed and reused: gradients come out as garbage now
 * and then (seen as sporadic NaN; reproduced ~1 in 3 under GC pressure). Here the scalar lives in {@code x}'s manager
 * until the batch's manager closes, after the backward pass.
 */
public final class Scalars {
  private Scalars() {
  }

  public static NDArray times(NDArray x, double s) {
    return x.mul(x.getManager().create((float) s));
  }

  public static NDArray over(NDArray x, double s) {
    return x.div(x.getManager().create((float) s));
  }
}
