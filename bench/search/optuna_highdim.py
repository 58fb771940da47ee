"""Optuna's side of `npm run bench:search:highdim`: the shared reference script, unchanged, on the 20-D functions.

  /usr/bin/python3 optuna_highdim.py --trials 200 --seeds 10 --samplers tpe,tpe-multivariate,cmaes

Adds rosenbrock20, ackley20 and levy20 (the same bounds and formulas as bench/search/functions.ts) to the
reference script's function table and runs its studies (its run(): the same samplers and JSON output as
optuna_reference.py), with one more option, --first-seed, so that seeds can be split over processes.
The shared folder is ../../../shared/bench from this file, or $HPO_SHARED_BENCH.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("HPO_SHARED_BENCH", os.path.join(HERE, "..", "..", "..", "shared", "bench")))

import functions  # noqa: E402  (shared/bench/functions.py)
import optuna_reference  # noqa: E402
from optuna_heldout import levy  # noqa: E402  (the held-out set's Levy, the same formula)


HIGH_DIM = {
    "rosenbrock20": ([(-5.0, 10.0)] * 20, 0.0, functions.rosenbrock),
    "ackley20": ([(-15.0, 30.0)] * 20, 0.0, functions.ackley),
    "levy20": ([(-10.0, 10.0)] * 20, 0.0, levy),
}

optuna_reference.FUNCTIONS.update(HIGH_DIM)



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--functions", default=",".join(HIGH_DIM))
    ap.add_argument("--samplers", default="tpe,tpe-multivariate,cmaes")
    a = ap.parse_args()
    out = {"optuna": optuna_reference.optuna.__version__, "trials": a.trials, "results": {}}
    seeds = range(a.first_seed, a.first_seed + a.seeds)
    for name in a.functions.split(","):
        samplers = {s: [optuna_reference.run(name, s, seed, a.trials) for seed in seeds] for s in a.samplers.split(",")}
        out["results"][name] = {"optimum": optuna_reference.FUNCTIONS[name][1], "samplers": samplers}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
