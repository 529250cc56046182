package dev.unetgan.gan.train;

/**
 * How CutMix enters the D step (UNETGAN.md §5).
 * <ul>
 *   <li>{@code EVERY_BATCH}: every D step adds {@code L_mix_dec + L_mix_enc + L_cons} to the normal loss (the
 *       official CelebA script);</li>
 *   <li>{@code FULL_BATCH}: a D step is mixed with probability {@code p} (warming up to 0.5) and then uses only
 *       {@code L_mix_dec + L_mix_enc + L_cons}; other steps use the normal loss (the official FFHQ/COCO scripts);</li>
 *   <li>{@code CONSISTENCY_ONLY}: the normal loss plus {@code L_cons} alone (the authors' stable fallback);</li>
 *   <li>{@code OFF}: the baseline, no CutMix.</li>
 * </ul>
 */
public enum CutMixRegime { EVERY_BATCH, FULL_BATCH, CONSISTENCY_ONLY, OFF }
