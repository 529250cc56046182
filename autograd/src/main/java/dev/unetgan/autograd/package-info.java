/**
 * Reverse-mode automatic differentiation on top of tensor-core (DESIGN.md §3). {@link dev.unetgan.autograd.Tensor}
 * is the user type; each op is a {@link dev.unetgan.autograd.Function} in {@code functions}, with forward and
 * backward in one file; {@code Backward} walks the recorded graph without recursion; {@link dev.unetgan.autograd.NoGrad}
 * turns recording off; {@link dev.unetgan.autograd.GradCheck} checks gradients by central differences. This module
 * uses tensor-core only through {@code Ops} and {@code SpatialOps}, so every backend is differentiated the same way.
 */
package dev.unetgan.autograd;
