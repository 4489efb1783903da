# %% [markdown]
# # Lesson 23 — Distributed data-parallel training
#
# One process on one device eventually becomes too slow. The standard next step in PyTorch is **data
# parallelism** with `torch.nn.parallel.DistributedDataParallel` (DDP):
#
# - start N copies of the same training script, one per GPU (or a few on the CPU); each copy is a **rank**;
# - every rank holds a full **replica** of the model, starting from the same weights;
# - every rank trains on a different **shard** of each batch (a `DistributedSampler` hands out the shards);
# - in `loss.backward()`, DDP **averages the gradients of all ranks** (an *all-reduce*), so every replica takes
#   exactly the same optimizer step and the replicas stay identical.
#
# N ranks with batches of B samples each therefore train like one process with batches of N·B samples, and at
# best N times faster: starting the processes and exchanging gradients cost time. On a 2-core CPU, with a model
# this small, start-up alone makes it slower than lesson 13's single process; the gain comes with GPUs and big
# models. `torchrun` (a command that comes with PyTorch) starts the ranks and tells each one who it is.
# This lesson trains the lesson-13 network (784-500-10, `models.FeedForward`) that way: with 2 processes and the
# `gloo` backend on the CPU, or one process per GPU and the `nccl` backend on CUDA.

# %%
import json
import shlex
import sys

import torch
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from pytorch_tutorial import checkpoint, engine, models, runtime
from pytorch_tutorial.data import mnist
from pytorch_tutorial.distributed import CHECKPOINT_NAME, RESULT_NAME, check_loopback, launch, normalized, worker_env

cfg = runtime.settings(
    epochs=runtime.between(2, 1, 1000),
    batch_size=50,
    lr=runtime.between(0.1, 1e-6, 10.0),
    nproc=runtime.between(2, 1, runtime.MAX_CPU_PROCESSES),  # CPU processes: at most one per core
)
device = runtime.device()
check_loopback()  # the processes will meet on a TCP port of this machine: without one, stop now, in one line

# %% [markdown]
# ## How many processes, which backend
# On CUDA, one process per GPU, talking through NVIDIA's NCCL library. On the CPU, `nproc` processes (default 2)
# talking through `gloo`. Apple's MPS has no distributed backend, so there the lesson uses the CPU.

# %%
if device.type == "cuda":
    worker_device, nproc = "cuda", torch.cuda.device_count()
else:
    if device.type == "mps":
        print("MPS has no distributed backend: the processes train on the CPU with gloo")
    worker_device, nproc = "cpu", cfg.nproc
backend = "nccl" if worker_device == "cuda" else "gloo"
print(f"{nproc} processes on {worker_device}, backend {backend}")

# %% [markdown]
# ## The sampler: a different shard for every rank
# A `DistributedSampler` knows the number of ranks and its own rank, and yields only that rank's share of a
# (shuffled) epoch. The ranks' shares do not overlap and together they cover the dataset (when the dataset does
# not divide evenly, a few samples are repeated so that every rank gets as many). All ranks shuffle with the
# same seed, so they agree on the order; `sampler.set_epoch(epoch)` changes the shuffle from epoch to epoch —
# forget it, and every epoch repeats the same order. No processes are needed to look at it: here are the shards
# each of 2 ranks would get. (Reading the data here also puts it in the cache before the workers start.)

# %%
run = runtime.current()
train_images, train_labels = mnist.tensors(train=True)
train_set = TensorDataset(train_images, train_labels)
samplers = [DistributedSampler(train_set, num_replicas=2, rank=rank, shuffle=True, seed=run.seed) for rank in range(2)]
epoch0 = [list(sampler) for sampler in samplers]
for rank, indices in enumerate(epoch0):
    print(f"epoch 0, rank {rank}: {len(indices)} samples, first ones {indices[:6]}")
shards_disjoint = not set(epoch0[0]) & set(epoch0[1])
shards_cover = set(epoch0[0]) | set(epoch0[1]) == set(range(len(train_set)))
print(f"shards disjoint: {shards_disjoint}, together the whole training set: {shards_cover}")

samplers[0].set_epoch(1)
epoch1_rank0 = list(samplers[0])
print(f"epoch 1, rank 0: first ones {epoch1_rank0[:6]} (set_epoch(1) reshuffled)")

# %% [markdown]
# ## The worker script
# Each rank runs `pytorch_tutorial/distributed.py`. About half of that file is the launcher's plumbing (time
# limits, error messages); the worker's heart, in order:
#
# ```python
# dist.init_process_group("gloo")               # "nccl" on GPUs; rank and world size come from torchrun
# model = DistributedDataParallel(models.FeedForward().to(device))   # on a GPU: device_ids=[local_rank]
# sampler = DistributedSampler(train_set, shuffle=True, seed=seed)   # this rank's shard of every epoch
# train_loader = DataLoader(train_set, batch_size=batch_size, sampler=sampler)
# for epoch in range(epochs):
#     sampler.set_epoch(epoch)
#     engine.train_epoch(model, train_loader, loss_fn, optimizer, device)   # the lesson-13 loop, unchanged
# correct_and_total = torch.tensor([correct, total]); dist.all_reduce(correct_and_total)   # summed over ranks
# if dist.get_rank() == 0:                      # one writer, or N processes race on the same file
#     checkpoint.save_atomic({"model_state": model.module.state_dict(), ...}, path)
# dist.destroy_process_group()
# ```
#
# The training loop itself does not change: DDP hooks into `backward()`. Every rank measures accuracy on its
# own part of the test split; an `all_reduce` adds up the correct answers and the counts of all ranks, so the
# accuracy is exact over the whole split. The checkpoint stores `model.module.state_dict()`: the inner model's
# weights, without DDP's `module.` prefix, so that a plain `FeedForward` loads them.
#
# ## Launching it with torchrun
# By hand you would type (`torchrun` is the same as `python -m torch.distributed.run`):

# %%
out_dir = runtime.out_dir()
checkpoint_path = runtime.output_path(CHECKPOINT_NAME)
result_path = runtime.output_path(RESULT_NAME)
result_path.unlink(missing_ok=True)  # never read back a result of an earlier run
worker_args = ["--epochs", str(cfg.epochs), "--batch-size", str(cfg.batch_size), "--lr", str(cfg.lr)]
worker_args += ["--seed", str(run.seed), "--device", worker_device, "--out-dir", str(out_dir)]
if run.data_dir is not None:  # the workers read the same data as this process
    worker_args += ["--data-dir", str(run.data_dir.resolve())]
if run.full_data:
    worker_args += ["--full-data"]
torchrun_args = ["--standalone", "--nproc-per-node", str(nproc), "-m", "pytorch_tutorial.distributed", *worker_args]
print("torchrun", shlex.join(torchrun_args))

# %% [markdown]
# `--standalone` runs everything on this machine and picks a free port for the ranks to meet on;
# `--nproc-per-node` is the number of ranks; `-m` names the module each rank runs, followed by its own
# arguments. torchrun gives every process the variables `RANK` (0 … N−1), `LOCAL_RANK` (its number on this
# machine: which GPU to use), `WORLD_SIZE` (N) and the address of the meeting point, which
# `init_process_group` reads.
#
# The lesson runs exactly that command with the Python it runs on, waits for it (with a time limit, so that a
# stuck rank cannot hang the course), and fails with the workers' last error lines if any rank fails.

# %%
command = [sys.executable, "-m", "torch.distributed.run", *torchrun_args]
timeout_s = 120 + 60 * cfg.epochs  # generous: starting the processes takes seconds, an epoch far less
worker_output = launch(command, timeout=timeout_s, env=worker_env(nproc))
print(worker_output.strip())
result = json.loads(result_path.read_text(encoding="utf-8"))
print(f"world size {result['world_size']}, backend {result['backend']}, test accuracy {result['test_accuracy']:.3f}")

# %% [markdown]
# ## Why it works: one step, two ways
# Before training, every rank made one SGD step with DDP on its shard of 50 samples (the first 100 training
# digits between 2 ranks), then repeated the step alone, as a single process, on all 100 samples from the same
# initial weights, and compared. The loss is a mean: the average of the two ranks' gradients (each a mean over
# 50 samples) is the gradient of the mean over all 100. So the weights agree, up to floating-point rounding
# (the sums run in another order):

# %%
max_abs_diff_vs_single = result["max_abs_diff_vs_single"]
ranks, per_rank = result["world_size"], result["batch_size_per_rank"]
print(f"{ranks} ranks x {per_rank} samples with DDP vs 1 process x {ranks * per_rank} samples, one SGD step each")
print(f"largest weight change in that step:             {result['one_step_weight_change']:.2e}")
print(f"largest difference DDP vs single process:        {max_abs_diff_vs_single:.2e}")

# %% [markdown]
# ## The checkpoint is an ordinary one
# Rank 0 alone wrote it. It loads safely with `weights_only=True` into a plain `FeedForward` in this single
# process, and gives the same test accuracy that the ranks computed together.

# %%
saved = checkpoint.load_weights(checkpoint_path)
model = models.FeedForward().to(device)
model.load_state_dict(saved["model_state"])
test_images, test_labels = mnist.tensors(train=False)
test_loader = DataLoader(TensorDataset(normalized(test_images), test_labels), batch_size=500)
single_process_accuracy = engine.evaluate(model, test_loader, device)
print(f"written by rank {saved['written_by_rank']} of {saved['world_size']}")
print(
    f"test accuracy of the checkpoint here: {single_process_accuracy:.3f} (ranks together: {result['test_accuracy']:.3f})"
)

# %% [markdown]
# ## Beyond one machine
# The worker script does not change for several machines (*nodes*); only the launch does. Run torchrun on every
# node, telling each how many nodes there are and where they meet (a *rendezvous*): a host and port that all of
# them can reach, usually the first node's. For 2 nodes with 4 GPUs each (8 ranks):
#
# ```
# # on every node (node 0 has the address 10.0.0.1):
# torchrun --nnodes 2 --nproc-per-node 4 \
#          --rdzv-backend c10d --rdzv-endpoint 10.0.0.1:29400 --rdzv-id my-job-42 \
#          -m pytorch_tutorial.distributed --epochs 5
# ```
#
# - `--nnodes 2`: wait for 2 nodes; `WORLD_SIZE` becomes nodes × processes per node = 8.
# - `--rdzv-backend c10d --rdzv-endpoint HOST:PORT`: the c10d rendezvous, a small key-value store that torchrun
#   serves on that host; the port must be open between the nodes. `--rdzv-id` names the job, the same on all.
# - `--node-rank`: with c10d, torchrun numbers the nodes itself; with the older static form
#   (`--node-rank 0`/`1` plus `--master-addr 10.0.0.1 --master-port 29500`) you give each node its number.
# - `RANK` is global (0 … 7), `LOCAL_RANK` counts within a node (0 … 3, the GPU to use): only global rank 0
#   writes files, and every node needs the data at the same path (`--data-dir`).
# - `--nnodes 1:4` lets a job start with 1 to 4 nodes (elastic training), `--max-restarts 3` restarts the
#   workers after a failure.

# %%
runtime.report(
    test_accuracy=result["test_accuracy"],
    world_size=result["world_size"],
    max_abs_diff_vs_single=max_abs_diff_vs_single,
    backend=result["backend"],
)
