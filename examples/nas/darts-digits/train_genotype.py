"""Retrains one DARTS genotype from scratch on scikit-learn's digits, as DARTS judges its search's result: the
discrete network of the genotype's cells (darts_digits.py's DerivedNetwork, on the search's macro-structure and
channels) trained with the search's weight optimiser (SGD with momentum, cosine-annealed w_lr, gradient clipping)
on the whole training split, scored on the held-out split.

The genotype is either given (`--genotype`, Katib's `Best-Genotype=Genotype(...)` text, with or without the
`Best-Genotype=` prefix) or drawn uniformly from the same search space (`--random-genotype=SEED`: per node two
distinct earlier states, an operation of the search space for each), the baseline of bench/nas/darts.ts. It takes
the search's `--algorithm-settings`, `--search-space` and `--num-layers` so the network matches the searched one.

Prints `Genotype=...` first, then `Validation-Accuracy=...` after every epoch and `Training-Seconds=...` at the end.
Exit 2 on bad parameters.
"""
import argparse
import os
import random
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from darts_digits import (  # noqa: E402
    DerivedNetwork,
    Genotype,
    accuracy,
    add_search_arguments,
    cosine_lr,
    digits,
    parse_genotype,
    search_inputs,
)


def random_genotype(ops, nodes, rng):
    """A genotype drawn uniformly from the space DARTS derives from: for each cell kind, per intermediate node two
    distinct inputs among the earlier states and an operation of `ops` for each ("none" never)."""

    def cell():
        return [[(rng.choice(ops), j) for j in sorted(rng.sample(range(2 + i), 2))] for i in range(nodes)]

    concat = range(2, 2 + nodes)
    return Genotype(cell(), concat, cell(), concat)


def retrain(genotype, layers, settings, epochs, seed=0, report=None):
    """Trains the genotype's network from scratch for `epochs` epochs; calls `report(epoch, accuracy)` after each;
    returns the final held-out accuracy."""
    torch.manual_seed(seed)
    (x0, y0), (x1, y1), valid = digits()
    x, y = torch.cat([x0, x1]), torch.cat([y0, y1])
    model = DerivedNetwork(genotype, layers, settings)
    optimiser = torch.optim.SGD(
        model.parameters(), settings["w_lr"], momentum=settings["w_momentum"], weight_decay=settings["w_weight_decay"]
    )
    generator = torch.Generator().manual_seed(seed)
    batch, score = settings["batch_size"], 0.0
    for epoch in range(epochs):
        for group in optimiser.param_groups:
            group["lr"] = cosine_lr(settings, epoch, epochs)
        model.train()
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch):
            b = order[start : start + batch]
            optimiser.zero_grad()
            F.cross_entropy(model(x[b]), y[b]).backward()
            nn.utils.clip_grad_norm_(model.parameters(), settings["w_grad_clip"])
            optimiser.step()
        score = accuracy(model, valid)
        if report is not None:
            report(epoch, score)
    return score


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--genotype")
    which.add_argument("--random-genotype", type=int, metavar="SEED")
    add_search_arguments(parser)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        settings, ops, layers = search_inputs(args)
        if args.epochs < 1:
            raise ValueError("need at least one epoch")
        if args.genotype is not None:
            genotype = parse_genotype(args.genotype, ops)
        else:
            genotype = random_genotype(ops, settings["num_nodes"], random.Random(args.random_genotype))
    except (ValueError, SyntaxError, TypeError, RecursionError) as error:
        # RecursionError: a genotype nested too deeply for Python's parser.
        print(f"train-genotype: bad parameters: {error}", file=sys.stderr)
        return 2
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    print(f"Genotype={genotype}", flush=True)
    started = time.perf_counter()

    def report(epoch, score):
        print(f"epoch {epoch + 1}/{args.epochs}")
        print(f"Validation-Accuracy={score:.6f}", flush=True)

    retrain(genotype, layers, settings, args.epochs, seed=args.seed, report=report)
    print(f"Training-Seconds={time.perf_counter() - started:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
