"""Data-parallel training of a 64-32-10 MLP on scikit-learn's digits with torch.distributed (gloo) and DDP.

Run as the replicas of a PyTorchJob: the training operator (or hpo's local distributed launcher) sets
MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK, which init_process_group("gloo") reads (env://). Each rank
trains on its own shard of the training set; DDP averages the gradients, so every rank holds the same model.
Rank 0 prints `loss=<mean training loss>` per epoch and `accuracy=<validation accuracy>` at the end, the
name=value lines Katib's StdOut collector reads. Rank 0 then saves the trained MLP as TorchScript (architecture and
weights in one file, loadable with torch.jit.load without this script) to `$HPO_ARTIFACTS_DIR/model.pt`, which hpo
records with its sha256 for `hpo serve` and `hpo export --to kserve`; its input is the 64 pixels divided by 16.
"""
import argparse
import os

import torch
import torch.distributed as dist
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.nn.parallel import DistributedDataParallel

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, required=True)
parser.add_argument("--momentum", type=float, default=0.9)
parser.add_argument("--epochs", type=int, default=8)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--hidden", type=int, default=32)
args = parser.parse_args()

torch.set_num_threads(1)
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()

X, y = load_digits(return_X_y=True)
X_train, X_valid, y_train, y_valid = train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)
# Equal shards, so every rank runs the same number of steps (DDP's all-reduce needs every rank at every step).
per_rank = len(X_train) // world
shard = slice(rank * per_rank, (rank + 1) * per_rank)
X_shard = torch.tensor(X_train[shard], dtype=torch.float32)
y_shard = torch.tensor(y_train[shard], dtype=torch.long)

torch.manual_seed(0)  # the same initial weights on every rank (DDP also broadcasts rank 0's)
model = DistributedDataParallel(nn.Sequential(nn.Linear(64, args.hidden), nn.ReLU(), nn.Linear(args.hidden, 10)))
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(args.epochs):
    model.train()
    order = torch.randperm(per_rank, generator=torch.Generator().manual_seed(1000 * epoch + rank))
    total, steps = torch.zeros(1), 0
    for start in range(0, per_rank - args.batch_size + 1, args.batch_size):
        idx = order[start : start + args.batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(X_shard[idx]), y_shard[idx])
        loss.backward()
        optimizer.step()
        total += loss.detach()
        steps += 1
    # The epoch's loss averaged over all ranks.
    dist.all_reduce(total)
    if rank == 0:
        print(f"epoch={epoch} loss={total.item() / (steps * world):.6f}", flush=True)

if rank == 0:
    model.eval()
    with torch.no_grad():
        predicted = model(torch.tensor(X_valid, dtype=torch.float32)).argmax(dim=1)
    accuracy = (predicted == torch.tensor(y_valid)).float().mean().item()
    print(f"accuracy={accuracy:.6f}", flush=True)
    # A KFP retraining step names the model's file (HPO_MODEL_PATH); a trial has an artifacts folder.
    artifacts = os.environ.get("HPO_ARTIFACTS_DIR")
    model_path = os.environ.get("HPO_MODEL_PATH") or (os.path.join(artifacts, "model.pt") if artifacts else None)
    if model_path:
        # The plain module, not the DDP wrapper: serving needs no process group.
        torch.jit.script(model.module).save(model_path)
print(f"rank {rank} of {world} on {os.environ.get('MASTER_ADDR')}:{os.environ.get('MASTER_PORT')} done", flush=True)
dist.barrier()
dist.destroy_process_group()
