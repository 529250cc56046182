#!/usr/bin/env python3
"""PyTorch reference for ModelBench and TrainStepBench: the same BigGAN G and U-Net D (UNETGAN.md §1-§2, 64x64,
ch 32, batch 8, unconditional, self-modulated BN, no attention), timed on the CPU with 2 threads.

Written for a side-by-side run on this machine (Debian's python3-torch 1.13: `apt-get install python3-torch`, then
`/usr/bin/python3 benchmarks/unetgan_torch.py [repeats]`). It uses torch's own spectral_norm (one power iteration per
training forward), which costs the same as BigGAN's variant. glibc's malloc thresholds are fixed first
(torch_allocator.py), as in conv_torch.py. Not part of the build or the tests.
"""
import copy
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_allocator import steady_allocator

torch.set_num_threads(2)
SN = nn.utils.spectral_norm
CH, RES, B, DZ = 32, 64, 8, 128


def conv(i, o, k):
    return SN(nn.Conv2d(i, o, k, padding=k // 2))


class CBN(nn.Module):  # self-modulation: x_hat * (1 + gain(z)) + bias(z)
    def __init__(self, c):
        super().__init__()
        self.bn = nn.BatchNorm2d(c, affine=False)
        self.gain = nn.Sequential(nn.Linear(DZ, DZ), nn.ReLU(), nn.Linear(DZ, c, bias=False))
        self.bias = nn.Sequential(nn.Linear(DZ, DZ), nn.ReLU(), nn.Linear(DZ, c, bias=False))

    def forward(self, x, z):
        return self.bn(x) * (1 + self.gain(z)[:, :, None, None]) + self.bias(z)[:, :, None, None]


class GBlock(nn.Module):
    def __init__(self, i, o, norm):
        super().__init__()
        self.norm = norm
        self.bn1, self.bn2 = (CBN(i), CBN(o)) if norm else (None, None)
        self.conv1, self.conv2, self.conv_sc = conv(i, o, 3), conv(o, o, 3), conv(i, o, 1)

    def forward(self, x, z=None):
        h = self.bn1(x, z) if self.norm else x
        h = self.conv1(F.interpolate(F.relu(h), scale_factor=2))
        h = self.bn2(h, z) if self.norm else h
        h = self.conv2(F.relu(h))
        return h + self.conv_sc(F.interpolate(x, scale_factor=2))


class DBlock(nn.Module):
    def __init__(self, i, o, pre):
        super().__init__()
        self.pre = pre
        self.conv1, self.conv2, self.conv_sc = conv(i, o, 3), conv(o, o, 3), conv(i, o, 1)

    def forward(self, x):
        h = F.relu(x) if self.pre else x
        h = F.avg_pool2d(self.conv2(F.relu(self.conv1(h))), 2)
        return h + F.avg_pool2d(self.conv_sc(x), 2)


class G(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = SN(nn.Linear(DZ, 16 * CH * 16))
        ins, outs = [16, 16, 8, 4], [16, 8, 4, 2]
        self.blocks = nn.ModuleList(GBlock(i * CH, o * CH, True) for i, o in zip(ins, outs))
        self.bn = nn.BatchNorm2d(2 * CH)
        self.out = conv(2 * CH, 3, 3)

    def forward(self, z):
        h = self.linear(z).view(z.shape[0], -1, 4, 4)
        for b in self.blocks:
            h = b(h, z)
        return torch.tanh(self.out(F.relu(self.bn(h))))


class D(nn.Module):
    def __init__(self):
        super().__init__()
        enc = [(3, 2 * CH), (2 * CH, 4 * CH), (4 * CH, 8 * CH), (8 * CH, 16 * CH)]
        self.enc = nn.ModuleList(DBlock(i, o, k > 0) for k, (i, o) in enumerate(enc))
        dec = [(16, 8), (16, 4), (8, 2), (4, 1)]
        self.dec = nn.ModuleList(GBlock(i * CH, o * CH, False) for i, o in dec)
        self.pixel = nn.Conv2d(CH, 1, 1)
        self.linear_middle = SN(nn.Linear(16 * CH, 1))

    def forward(self, x):
        feats, h = [], x
        for b in self.enc:
            h = b(h)
            feats.append(h)
        enc = self.linear_middle(F.relu(h).sum([2, 3]))
        for k, b in enumerate(self.dec):
            if k > 0:
                h = torch.cat([h, feats[len(self.enc) - 1 - k]], 1)
            h = b(h)
        return enc, self.pixel(h)


def bce(l, t):
    return F.binary_cross_entropy_with_logits(l, torch.full_like(l, t) if isinstance(t, float) else t)


def cutmix(x, fake):
    m = torch.ones(B, 1, RES, RES)
    for i in range(B):
        w = int(RES * (1 - torch.rand(1).item()) ** 0.5)
        cx, cy = torch.randint(RES, (2,)).tolist()
        m[i, :, max(cx - w // 2, 0):cx + w // 2, max(cy - w // 2, 0):cy + w // 2] = 0
        if torch.rand(1).item() < 0.5:
            m[i] = 1 - m[i]
    return m * x + (1 - m) * fake, m


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    steady_allocator()
    torch.manual_seed(1)
    g, d = G(), D()
    g_ema = copy.deepcopy(g)
    opt_g = torch.optim.Adam(g.parameters(), 5e-5, betas=(0, 0.999), eps=1e-6)
    opt_d = torch.optim.Adam(d.parameters(), 2e-4, betas=(0, 0.999), eps=1e-6)
    x = torch.rand(B, 3, RES, RES) * 2 - 1

    def d_fb():
        d.zero_grad()
        e, p = d(x)
        (e.sum() + p.sum()).backward()

    def g_fb():
        g.zero_grad()
        g(torch.randn(B, DZ)).sum().backward()

    def iteration():
        with torch.no_grad():
            fake = g(torch.randn(B, DZ))
        mixed, m = cutmix(x, fake)
        opt_d.zero_grad()
        e, p = d(torch.cat([fake, x, mixed]))
        ef, er, em = e.split(B)
        pf, pr, pm = p.split(B)
        loss = (0.5 * (bce(er, 1.) + bce(pr, 1.)) + 0.5 * (bce(ef, 0.) + bce(pf, 0.)) + bce(pm, m) + bce(em, 0.)
                + ((pm - (m * pr + (1 - m) * pf)) ** 2).mean())
        loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        d.requires_grad_(False)  # as the official code's toggle_grad(D, False): no D weight gradients in the G step
        e, p = d(g(torch.randn(B, DZ)))
        (0.5 * bce(e, 1.) + 0.5 * bce(p, 1.)).backward()
        d.requires_grad_(True)
        opt_g.step()
        with torch.no_grad():
            for pe, pg in zip(g_ema.state_dict().values(), g.state_dict().values()):
                if pe.dtype.is_floating_point:
                    pe.mul_(0.9999).add_(pg, alpha=1e-4)

    for name, fn, n in [("D forward+backward", d_fb, 10), ("G forward+backward", g_fb, 10),
                        ("full iteration (every-batch CutMix)", iteration, 3)]:
        fn()  # warm-up
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            for _ in range(n):
                fn()
            times.append((time.perf_counter() - t) / n)
        print(f"torch {torch.__version__}, 2 threads, {name}: median {1000 * statistics.median(times):.1f} ms "
              f"(min {1000 * min(times):.1f}) over {repeats}x{n}")


if __name__ == "__main__":
    main()
