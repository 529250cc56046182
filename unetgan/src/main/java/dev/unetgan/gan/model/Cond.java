package dev.unetgan.gan.model;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.tensor.NDArray;

/**
 * What G's conditional batch norms read: the full latent {@code z [B, dim_z]} (self-modulation) and the classes
 * {@code y} (I32 {@code [B]}, null when unconditional). Each BN uses the one its mode needs.
 */
public record Cond(Tensor z, NDArray y) {
}
