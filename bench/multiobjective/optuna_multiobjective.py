"""Optuna's side of `npm run bench:multiobjective` (run with Debian's /usr/bin/python3, python3-optuna 3.1).

  /usr/bin/python3 optuna_multiobjective.py --trials 300 --seeds 10 --problems zdt1,zdt2,dtlz2 \
      --samplers nsga2,tpe,random > optuna.json

Prints JSON: per problem and sampler, per seed the objective vectors of every trial in order, and the wall
time of the study. The hypervolumes are computed on the TypeScript side with the same code as ours, so both
sides are measured alike. The problems repeat bench/multiobjective/problems.ts (6 parameters in [0, 1]).
"""
import argparse
import json
import math
import time
import warnings

import optuna

warnings.filterwarnings("ignore")
optuna.logging.set_verbosity(optuna.logging.WARNING)

DIMENSIONS = 6


def zdt_g(x):
    return 1 + 9 * sum(x[1:]) / (len(x) - 1)


def zdt1(x):
    g = zdt_g(x)
    return [x[0], g * (1 - math.sqrt(x[0] / g))]


def zdt2(x):
    g = zdt_g(x)
    return [x[0], g * (1 - (x[0] / g) ** 2)]


def dtlz2(x):
    g = sum((v - 0.5) ** 2 for v in x[2:])
    a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
    return [(1 + g) * math.cos(a) * math.cos(b), (1 + g) * math.cos(a) * math.sin(b), (1 + g) * math.sin(a)]


PROBLEMS = {"zdt1": (zdt1, 2), "zdt2": (zdt2, 2), "dtlz2": (dtlz2, 3)}

# Optuna 3.1's defaults: NSGA-II with a population of 50, TPE with 10 startup trials.
SAMPLERS = {
    "nsga2": lambda seed: optuna.samplers.NSGAIISampler(seed=seed),
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
}


def run(problem, sampler, seed, trials):
    fn, m = PROBLEMS[problem]
    study = optuna.create_study(directions=["minimize"] * m, sampler=SAMPLERS[sampler](seed))

    def objective(trial):
        return fn([trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(DIMENSIONS)])

    start = time.perf_counter()
    study.optimize(objective, n_trials=trials)
    wall = time.perf_counter() - start
    return {"seed": seed, "wall_s": wall, "values": [list(t.values) for t in study.trials]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=300)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--problems", default=",".join(PROBLEMS))
    ap.add_argument("--samplers", default=",".join(SAMPLERS))
    ap.add_argument("--out", help="write the JSON here instead of stdout")
    ap.add_argument(
        "--limits",
        default="",
        help="smaller budgets for slow samplers: SAMPLER[@PROBLEM]=TRIALSxSEEDS,... (e.g. tpe@dtlz2=100x3)",
    )
    a = ap.parse_args()
    limits = {}
    for item in filter(None, a.limits.split(",")):
        key, budget = item.split("=")
        trials, seeds = budget.split("x")
        limits[key] = (int(trials), int(seeds))
    out = {"optuna": optuna.__version__, "trials": a.trials, "results": {}}
    for problem in a.problems.split(","):
        out["results"][problem] = {}
        for sampler in a.samplers.split(","):
            trials, seeds = limits.get(f"{sampler}@{problem}", limits.get(sampler, (a.trials, a.seeds)))
            trials, seeds = min(trials, a.trials), min(seeds, a.seeds)
            out["results"][problem][sampler] = [run(problem, sampler, seed, trials) for seed in range(seeds)]
    if a.out:
        with open(a.out, "w") as f:
            json.dump(out, f)
    else:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
