"""Optuna's side of `npm run bench:search:highdim`: the shared reference script, unchanged, on the 20-D functions.

  /usr/bin/python3 optuna_highdim.py --trials 200 --seeds 10 --samplers tpe,tpe-multivariate,cmaes

Adds rosenbrock20, ackley20 and levy20 (the same bounds and formulas as bench/search/functions.ts) to the
reference script's function table, then runs its main(): the same samplers, seeds and JSON output as
optuna_reference.py. The shared folder is ../../../shared/bench from this file, or $HPO_SHARED_BENCH.
"""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("HPO_SHARED_BENCH", os.path.join(HERE, "..", "..", "..", "shared", "bench")))

import functions  # noqa: E402  (shared/bench/functions.py)
import optuna_reference  # noqa: E402


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    total = math.sin(math.pi * w[0]) ** 2
    for v in w[:-1]:
        total += (v - 1) ** 2 * (1 + 10 * math.sin(math.pi * v + 1) ** 2)
    return total + (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)


HIGH_DIM = {
    "rosenbrock20": ([(-5.0, 10.0)] * 20, 0.0, functions.rosenbrock),
    "ackley20": ([(-15.0, 30.0)] * 20, 0.0, functions.ackley),
    "levy20": ([(-10.0, 10.0)] * 20, 0.0, levy),
}

optuna_reference.FUNCTIONS.update(HIGH_DIM)

if __name__ == "__main__":
    optuna_reference.main()
