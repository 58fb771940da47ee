"""Trains the architectures of the tabular NAS benchmark, one JSON object per stdin line
(`{"architecture": ..., "nn_config": ...}`, Katib's parameter texts), and prints one JSON line per architecture:
its validation accuracy after each epoch and the seconds it took. Run by buildTable.ts; uses the network and
training loop of examples/nas/enas-digits, one thread, fixed seeds."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "nas", "enas-digits"))

import torch  # noqa: E402

from enas_digits import build_network, digits_split, parse_parameter, train  # noqa: E402

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 4
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
torch.set_num_threads(1)
train_data, valid_data = digits_split()
for line in sys.stdin:
    if not line.strip():
        continue
    job = json.loads(line)
    started = time.perf_counter()
    torch.manual_seed(seed)
    model = build_network(parse_parameter(job["architecture"]), parse_parameter(job["nn_config"]))
    curve = []
    train(model, train_data, valid_data, epochs, seed=seed, report=lambda epoch, score: curve.append(round(score, 6)))
    seconds = time.perf_counter() - started
    print(json.dumps({"architecture": job["architecture"], "curve": curve, "seconds": round(seconds, 3)}), flush=True)
