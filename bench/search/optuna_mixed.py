"""Optuna's samplers on the mixed-space functions of mixedFunctions.ts (our driver, for `npm run bench:search:mixed`).

  /usr/bin/python3 optuna_mixed.py --trials 100 --seeds 10 --evaluator '["node", "--import", "tsx", "mixedEval.ts"]'

The objectives are not copied here: the evaluator process (mixedEval.ts) sends each function's search space
(Katib parameters as hpo-workbench parses them) and then computes every objective value, over pipes. Each
parameter is suggested the way Katib's Optuna service would: a double with suggest_float (log=True on a
logUniform scale, step= on a stepped one), an int with suggest_int(step=), a categorical or a list of numbers
with suggest_categorical. Prints the same JSON as shared/bench/optuna_reference.py; wall_s is the samplers'
own time (the evaluations, round trips to the evaluator, are subtracted).
"""
import argparse
import json
import subprocess
import time
import warnings

import optuna

warnings.filterwarnings("ignore")
optuna.logging.set_verbosity(optuna.logging.WARNING)

SAMPLERS = {
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "tpe-multivariate": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=True),
    # Categoricals are drawn at random by Optuna 3.1's CMA-ES (it says so once per trial unless told not to).
    "cmaes": lambda seed: optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False),
}
LOG_SCALES = ("logUniform", "logNormal")


def suggest(trial, param):
    """One parameter of the space; normal scales are drawn uniformly (Optuna has no normal prior)."""
    name, d = param["name"], param["domain"]
    kind = d["kind"]
    if kind in ("categorical", "discrete"):
        return trial.suggest_categorical(name, d["values"])
    log = d["scale"] in LOG_SCALES
    step = d.get("step")
    if kind == "int":
        if log and step not in (None, 1):
            raise ValueError(f"{name}: Optuna cannot draw a log-scaled int with step {step}")
        return trial.suggest_int(name, int(d["min"]), int(d["max"]), step=int(step or 1), log=log)
    if step is not None and log:
        raise ValueError(f"{name}: Optuna cannot draw a log-scaled double with a step")
    return trial.suggest_float(name, d["min"], d["max"], step=step, log=log)


class Evaluator:
    def __init__(self, command, functions):
        self.proc = subprocess.Popen(
            command + [",".join(functions)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self.spaces = json.loads(self.proc.stdout.readline())["spaces"]
        self.seconds = 0.0

    def __call__(self, fn, params):
        start = time.perf_counter()
        self.proc.stdin.write(json.dumps({"fn": fn, "params": params}) + "\n")
        answer = json.loads(self.proc.stdout.readline())
        self.seconds += time.perf_counter() - start
        if "error" in answer:
            raise RuntimeError(f"{fn}: {answer['error']}")
        return answer["value"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def run(evaluate, name, sampler_name, seed, trials):
    space = evaluate.spaces[name]
    study = optuna.create_study(sampler=SAMPLERS[sampler_name](seed))

    def objective(trial):
        return evaluate(name, {p["name"]: suggest(trial, p) for p in space})

    before = evaluate.seconds
    start = time.perf_counter()
    study.optimize(objective, n_trials=trials)
    wall = time.perf_counter() - start - (evaluate.seconds - before)
    best, curve = float("inf"), []
    for t in study.trials:
        best = min(best, t.value)
        curve.append(best)
    return {"seed": seed, "wall_s": wall, "best_curve": curve}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--functions", required=True)
    ap.add_argument("--samplers", default=",".join(SAMPLERS))
    ap.add_argument("--evaluator", required=True, help="JSON list: the command that starts mixedEval.ts")
    a = ap.parse_args()
    functions = a.functions.split(",")
    evaluate = Evaluator(json.loads(a.evaluator), functions)
    out = {"optuna": optuna.__version__, "trials": a.trials, "results": {}}
    try:
        for name in functions:
            out["results"][name] = {"samplers": {}}
            for s in a.samplers.split(","):
                out["results"][name]["samplers"][s] = [run(evaluate, name, s, seed, a.trials) for seed in range(a.seeds)]
    finally:
        evaluate.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
