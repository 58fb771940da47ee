"""An ENAS trial program on scikit-learn's digits: builds a small convolutional network from the `architecture` and
`nn_config` parameters exactly as Katib's ENAS service (and `hpo`'s `enas`) emits them, trains it a few epochs on
CPU and prints `Validation-Accuracy=<accuracy>` after every epoch for the StdOut metrics collector.

The parameters are Python-literal text with single quotes, e.g. `--architecture=[[2], [0, 1]]` and
`--nn_config={'num_layers': 2, 'input_sizes': [8, 8, 1], ..., 'embedding': {'2': {'opt_type': 'convolution', ...}}}`;
surrounding double quotes (Katib's templates write `"${trialParameters...}"`, which a shell would remove) are
tolerated. The trained model is saved as `model.pt` (state dict plus the two parameters) into `$HPO_ARTIFACTS_DIR`
when it is set. `bench/nas/buildTable.py` imports `build_network` and `train` from here, so the benchmark table
and the example train the same networks.

Network: a 3x3 stem convolution to `--stem_channels`, then one block per layer. A layer applies its operation to
the previous layer's output; each earlier layer whose skip bit is 1 is added to the result, average-pooled to the
same size and, where the channel counts differ, projected by a 1x1 convolution. Batch norm and ReLU follow every
block; global average pooling and a linear layer give `output_sizes[0]` classes. Digits are 8x8 images; an
`input_sizes` of, e.g., `[16, 16, 1]` upsamples them (bilinear).
"""
import argparse
import ast
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn


def parse_parameter(text):
    """Katib's Python-literal parameter text as a Python value (quotes around the whole text are dropped)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return ast.literal_eval(text)


def _same_padding(kernel):
    return kernel // 2


class Operation(nn.Module):
    """One ENAS operation of Katib's vocabulary on `channels` input channels; `out_channels` says what it gives."""

    def __init__(self, spec, channels, size):
        super().__init__()
        kind = spec["opt_type"]
        params = spec.get("opt_params", {})
        # A stride of 2 on a 1x1 map would still give 1x1; spelled out so the size bookkeeping stays exact.
        stride = int(params.get("stride", "1")) if size > 1 else 1
        if kind in ("convolution", "separable_convolution", "depthwise_convolution"):
            k = int(params.get("filter_size", "3"))
            multiplier = int(params.get("depth_multiplier", "1"))
            if kind == "convolution":
                out = int(params.get("num_filter", channels))
                self.body = nn.Conv2d(channels, out, k, stride=stride, padding=_same_padding(k), bias=False)
            elif kind == "depthwise_convolution":
                out = channels * multiplier
                self.body = nn.Conv2d(
                    channels, out, k, stride=stride, padding=_same_padding(k), groups=channels, bias=False
                )
            else:
                out = int(params.get("num_filter", channels))
                self.body = nn.Sequential(
                    nn.Conv2d(
                        channels,
                        channels * multiplier,
                        k,
                        stride=stride,
                        padding=_same_padding(k),
                        groups=channels,
                        bias=False,
                    ),
                    nn.Conv2d(channels * multiplier, out, 1, bias=False),
                )
        elif kind == "reduction":
            pool = int(params.get("pool_size", "2"))
            # Halves the map (as a stride-2 pooling does) while it is larger than 1x1.
            pool_stride = 2 if size > 1 else 1
            padding = pool // 2
            if params.get("reduction_type", "max_pooling") == "avg_pooling":
                self.body = nn.AvgPool2d(pool, stride=pool_stride, padding=padding, count_include_pad=False)
            else:
                self.body = nn.MaxPool2d(pool, stride=pool_stride, padding=padding)
            out = channels
            stride = pool_stride
            self.pool = (pool, padding)
        else:
            raise ValueError(f"unknown ENAS operation type {kind!r}")
        self.kind = kind
        self.out_channels = out
        if kind == "reduction":
            pool, padding = self.pool
            self.out_size = (size + 2 * padding - pool) // stride + 1
        else:
            k = int(params.get("filter_size", "3"))
            self.out_size = (size + 2 * _same_padding(k) - k) // stride + 1

    def forward(self, x):
        return self.body(x)


class EnasNetwork(nn.Module):
    """The network an ENAS `architecture` describes over the operations of `nn_config['embedding']`."""

    def __init__(self, architecture, nn_config, stem_channels=16):
        super().__init__()
        embedding = nn_config["embedding"]
        height, _, in_channels = (list(nn_config["input_sizes"]) + [1, 1, 1])[:3]
        self.input_size = int(height)
        self.stem = nn.Sequential(
            nn.Conv2d(int(in_channels), stem_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(stem_channels),
            nn.ReLU(),
        )
        channels, size = stem_channels, self.input_size
        self.ops = nn.ModuleList()
        self.norms = nn.ModuleList()
        self.skips = nn.ModuleList()
        self.skip_bits = []
        shapes = []
        for layer in architecture:
            op = Operation(embedding[str(layer[0])], channels, size)
            bits = list(layer[1:])
            projections = nn.ModuleDict()
            for j, bit in enumerate(bits):
                if bit == 1 and shapes[j][0] != op.out_channels:
                    projections[str(j)] = nn.Conv2d(shapes[j][0], op.out_channels, 1, bias=False)
            self.ops.append(op)
            self.skips.append(projections)
            self.skip_bits.append(bits)
            self.norms.append(nn.BatchNorm2d(op.out_channels))
            channels, size = op.out_channels, op.out_size
            shapes.append((channels, size))
        self.head = nn.Linear(channels, int(nn_config["output_sizes"][0]))

    def forward(self, x):
        if x.shape[-1] != self.input_size:
            x = F.interpolate(x, size=(self.input_size, self.input_size), mode="bilinear", align_corners=False)
        x = self.stem(x)
        outputs = []
        for op, norm, projections, bits in zip(self.ops, self.norms, self.skips, self.skip_bits):
            y = op(x)
            for j, bit in enumerate(bits):
                if bit != 1:
                    continue
                earlier = outputs[j]
                if earlier.shape[-1] != y.shape[-1]:
                    earlier = F.adaptive_avg_pool2d(earlier, y.shape[-2:])
                if str(j) in projections:
                    earlier = projections[str(j)](earlier)
                y = y + earlier
            x = F.relu(norm(y))
            outputs.append(x)
        return self.head(x.mean(dim=(2, 3)))


def build_network(architecture, nn_config, stem_channels=16):
    """The network for parsed `architecture` and `nn_config` values (lists and dicts, not text)."""
    if len(architecture) != int(nn_config["num_layers"]):
        raise ValueError(f"architecture has {len(architecture)} layers, nn_config says {nn_config['num_layers']}")
    return EnasNetwork(architecture, nn_config, stem_channels)


def digits_split(seed=0):
    """scikit-learn's digits as (N, 1, 8, 8) tensors scaled to [0, 1]: a fixed 75/25 stratified split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x / 16.0, y, test_size=0.25, random_state=seed, stratify=y)

    def tensors(a, b):
        return torch.tensor(a, dtype=torch.float32).reshape(-1, 1, 8, 8), torch.tensor(b, dtype=torch.long)

    return tensors(x_train, y_train), tensors(x_valid, y_valid)


def accuracy(model, data):
    model.eval()
    with torch.no_grad():
        x, y = data
        return (model(x).argmax(dim=1) == y).float().mean().item()


def train(model, train_data, valid_data, epochs, lr=0.01, batch_size=64, seed=0, report=None):
    """Adam on cross-entropy for `epochs` epochs (shuffled with `seed`); calls `report(epoch, accuracy)` after each
    epoch and returns the last validation accuracy."""
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    x, y = train_data
    score = 0.0
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            optimiser.zero_grad()
            F.cross_entropy(model(x[batch]), y[batch]).backward()
            optimiser.step()
        score = accuracy(model, valid_data)
        if report is not None:
            report(epoch, score)
    return score


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--architecture", required=True, help="Katib's architecture parameter, e.g. [[0], [1, 1]]")
    parser.add_argument("--nn_config", required=True, help="Katib's nn_config parameter")
    parser.add_argument("--num_epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--stem_channels", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    try:
        architecture = parse_parameter(args.architecture)
        nn_config = parse_parameter(args.nn_config)
        torch.manual_seed(args.seed)
        model = build_network(architecture, nn_config, args.stem_channels)
    except (ValueError, SyntaxError, KeyError, TypeError) as error:
        print(f"enas-digits: bad trial parameters: {error}", file=sys.stderr)
        return 2
    # Two cores are shared by the parallel trials: one thread each avoids oversubscription.
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    train_data, valid_data = digits_split()
    print(f"architecture={architecture} parameters={sum(p.numel() for p in model.parameters())}")

    def report(epoch, score):
        print(f"epoch {epoch + 1}/{args.num_epochs}")
        print(f"Validation-Accuracy={score:.6f}", flush=True)

    train(model, train_data, valid_data, args.num_epochs, lr=args.lr, seed=args.seed, report=report)

    # A KFP retraining step names the model's file (HPO_MODEL_PATH); a trial has an artifacts folder.
    artifacts = os.environ.get("HPO_ARTIFACTS_DIR")
    model_path = os.environ.get("HPO_MODEL_PATH") or (os.path.join(artifacts, "model.pt") if artifacts else None)
    if model_path:
        torch.save(
            {"state_dict": model.state_dict(), "architecture": architecture, "nn_config": nn_config},
            model_path,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
