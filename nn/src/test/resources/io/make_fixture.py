#!/usr/bin/env python3
"""Writes the safetensors fixtures that SafeTensorsFixtureTest reads, using Python's own safetensors library.

These files prove interoperability, so they must come from the reference implementation, not from our Java writer.
The library is safetensors 0.8.0 (the official Hugging Face package) with PyTorch 1.13 from Debian's python3-torch.
Debian bookworm does not package safetensors (no python3-safetensors), and PyPI is not reachable on the build
machines; the machine image carries the wheel on disk, so the generator was run as:

    /usr/bin/python3 -m venv --system-site-packages /tmp/stvenv
    /tmp/stvenv/bin/pip install --no-index --no-deps /opt/pypi/files/safetensors-0.8.0-*.whl
    /tmp/stvenv/bin/python nn/src/test/resources/io/make_fixture.py

The values are chosen to be exact in their dtype, so the Java test can state them as literals; the test repeats them
(keep the two in step when changing either).

fixture.safetensors      every dtype the reader accepts (F32, F64, F16, BF16, I32, I64), a scalar, an empty tensor,
                         and metadata with a non-ASCII value.
writable.safetensors     only dtypes the Java writer emits (F64, F32, I32): the Java writer must reproduce it byte for
                         byte after reading it.
"""
import hashlib
import math
import os

import safetensors
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))


def every_dtype():
    return {
        "f32.matrix": torch.tensor([[0.0, 1.0, -2.5], [3.25, -0.0, 1.0e-3]], dtype=torch.float32),
        "f32.scalar": torch.tensor(42.5, dtype=torch.float32),
        "f32.empty": torch.zeros(2, 0, dtype=torch.float32),
        "f64.vector": torch.tensor([1.0 / 3.0, -1.0e300, 5e-324, math.pi], dtype=torch.float64),
        # 65504 is the largest finite half, 2**-24 the smallest subnormal.
        "f16.values": torch.tensor([1.0, -2.0, 0.5, 65504.0, 2.0 ** -24, float("inf")], dtype=torch.float16),
        # 0x7F7F is the largest finite bfloat16; 2**-133 is a bfloat16 subnormal.
        "bf16.values": torch.tensor([[1.0, -3.140625], [2.0 ** -133, 3.3895313892515355e38]], dtype=torch.bfloat16),
        "i32.ids": torch.tensor([-7, 123456789], dtype=torch.int32),
        "i64.ids": torch.tensor([-5, 0, 2147483647, -2147483648], dtype=torch.int64),
    }


def writable():
    return {
        "layer.weight": torch.tensor([[0.5, -1.25, 3.0], [1.0e-7, 7.0, -0.0]], dtype=torch.float32),
        "layer.bias": torch.tensor([0.1, 0.2], dtype=torch.float32),
        "scale": torch.tensor(2.0, dtype=torch.float32),
        "none": torch.zeros(0, dtype=torch.float32),
        "stats": torch.tensor([1.0 / 3.0, -2.0, 1.0e-310], dtype=torch.float64),
        "step": torch.tensor([12345, -1], dtype=torch.int32),
    }


def write(name, tensors, metadata):
    path = os.path.join(HERE, name)
    save_file(tensors, path, metadata=metadata)
    with open(path, "rb") as f:
        print(name, hashlib.sha256(f.read()).hexdigest())


if __name__ == "__main__":
    print("safetensors", safetensors.__version__, "torch", torch.__version__)
    write("fixture.safetensors", every_dtype(), {"format": "pt", "note": "unetgan fixture \u00fc\u20ac"})
    write("writable.safetensors", writable(), {"format": "pt", "epoch": "3"})
