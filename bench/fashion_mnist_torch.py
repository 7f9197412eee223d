#!/usr/bin/python3
"""The CNN of examples/fashion_mnist.cpp in PyTorch, for its epoch time beside
typegrad's: conv 3x3 (16), relu, max pool 2, conv 3x3 (32), relu, max pool 2,
dense 64, relu, dense 10; Adam from 1e-3 down a cosine, batch 32, the partial
last batch dropped; one thread (OpenBLAS too, by OPENBLAS_NUM_THREADS=1).
Prints one line per epoch: the seconds spent training (not testing) and the
test accuracy.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/fashion_mnist_torch.py [epochs]
"""
import gzip
import math
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
torch.manual_seed(2024)
folder = "/usr/share/datasets/fashion-mnist/"


def idx(name, offset):
    with gzip.open(folder + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def images(name):
    return torch.tensor(idx(name, 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255)


def labels(name):
    return torch.tensor(idx(name, 8).astype(np.int64))


x_train, y_train = images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz")
x_test, y_test = images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz")
model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(7 * 7 * 32, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
batch = 32
steps = len(x_train) // batch
optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: 0.5 * (1 + math.cos(math.pi * s / (epochs * steps))))
for epoch in range(1, epochs + 1):
    order = torch.randperm(len(x_train))
    start = time.perf_counter()
    model.train()
    for s in range(steps):
        rows = order[s * batch:(s + 1) * batch]
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x_train[rows]), y_train[rows])
        loss.backward()
        optimiser.step()
        schedule.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        model.eval()
        correct = sum(int((model(x_test[i:i + 500]).argmax(1) == y_test[i:i + 500]).sum()) for i in range(0, 10000, 500))
    print(f"epoch {epoch}  {seconds:.1f} s training  test accuracy {correct / 10000:.4f}", flush=True)
