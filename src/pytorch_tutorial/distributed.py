"""Lesson 23's worker: the lesson-13 network trained with DistributedDataParallel, one process per rank.

``torchrun`` starts this module once per process and tells each copy who it is through environment variables
(``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``). By hand, on one machine::

    torchrun --standalone --nproc-per-node 2 -m pytorch_tutorial.distributed --epochs 2

Rank 0 alone writes the checkpoint (``feedforward_ddp.pt``) and the results (``ddp_result.json``) into
``--out-dir``; lesson 23 launches this with :func:`launch` and reads the results back.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.elastic.multiprocessing.errors import record
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from pytorch_tutorial import checkpoint, engine, models, runtime
from pytorch_tutorial.data import mnist

CHECKPOINT_NAME = "feedforward_ddp.pt"
RESULT_NAME = "ddp_result.json"
DEFAULT_OUT_DIR = Path("outputs") / "23-distributed"


# ---------------------------------------------------------------------------------------------------------
# The launcher side (the lesson's process)


def launch(command: list[str], timeout: float, env: dict[str, str] | None = None) -> str:
    """Run ``command`` (torchrun and its workers) and return its stdout; never hang, never fail silently.

    torchrun and the workers it starts run in a process group of their own, so that on a timeout the whole group
    is killed, not only torchrun (workers waiting in a collective would otherwise live on). A non-zero exit
    status raises :class:`RuntimeError` with the last lines the workers wrote to stderr.
    """
    posix = os.name == "posix"
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=posix,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except KeyboardInterrupt:  # Ctrl-C reaches only our process group: stop torchrun's group too, at once
        _stop_group(process, posix)
        raise
    except subprocess.TimeoutExpired:
        _stop_group(process, posix, grace=0.0)
        stdout, stderr = process.communicate()
        raise RuntimeError(
            f"the distributed workers did not finish within {timeout:.0f} s and were stopped; "
            f"the last lines they wrote:\n{_tail(stderr or stdout)}"
        ) from None
    if process.returncode != 0:
        cause = _root_cause(stderr)
        raise RuntimeError(
            f"the distributed workers failed (exit status {process.returncode})"
            + (f": {cause}" if cause else "")
            + f"; the last lines they wrote:\n{_tail(stderr or stdout)}"
        )
    return stdout


def _stop_group(process: subprocess.Popen[str], posix: bool, grace: float = 1.0) -> None:
    """Stop torchrun and every worker it started: SIGTERM first (``grace`` seconds to leave), then SIGKILL."""

    def send(sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if posix:
                os.killpg(process.pid, sig)
            else:
                process.kill()

    if grace:
        send(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    send(signal.SIGKILL)  # the workers too, even when torchrun itself has already left
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=1)


def check_loopback() -> None:
    """``torchrun --standalone`` lets the ranks meet on a TCP port of this machine (localhost). Try that once, in
    well under a second, so that a machine where it cannot work (loopback down in a network sandbox, a firewall)
    is one line naming the cause and the fix, instead of a rendezvous that hangs for minutes."""
    try:
        with socket.create_server(("127.0.0.1", 0)) as server:
            port = server.getsockname()[1]
            with socket.create_connection(("localhost", port), timeout=2):
                pass
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise runtime.UsageError(
            f"the distributed lesson needs TCP on localhost for its processes to meet, and it fails here ({reason}): "
            "bring the loopback interface up (ip link set lo up), or run outside the network sandbox"
        ) from None


def worker_env(nproc: int) -> dict[str, str]:
    """The environment for torchrun's workers: this package importable, and the CPU cores shared out.

    Each of ``nproc`` processes gets ``cores // nproc`` threads, so they do not fight over the same cores.
    """
    import pytorch_tutorial

    source_root = str(Path(pytorch_tutorial.__file__).resolve().parents[1])
    python_path = os.pathsep.join(p for p in (source_root, os.environ.get("PYTHONPATH", "")) if p)
    threads = max(1, (os.cpu_count() or 1) // nproc)
    return {**os.environ, "PYTHONPATH": python_path, "OMP_NUM_THREADS": str(threads)}


def _root_cause(stderr: str) -> str:
    """The last exception line a worker printed (``ValueError: ...``), not torchrun's own ChildFailedError;
    or, for a rank that crashed in C++ (killed by SIGABRT), the line the C++ runtime printed."""
    lines = stderr.splitlines()
    exceptions = [
        line.strip()
        for line in lines
        if re.match(r"\s*[A-Za-z_][\w.]*(Error|Exception|Interrupt)\b[^:]*:", line) and "ChildFailedError" not in line
    ]
    crashes = [line.strip() for line in lines if re.match(r"\s*terminate called", line)]
    return exceptions[-1] if exceptions else crashes[0] if crashes else ""


def _tail(text: str, lines: int = 25) -> str:
    kept = text.strip().splitlines()[-lines:]
    return "\n".join(kept) if kept else "(nothing)"


# ---------------------------------------------------------------------------------------------------------
# The worker side (one process per rank)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pytorch_tutorial.distributed",
        description="Lesson 23's worker; start it with torchrun, e.g. "
        "torchrun --standalone --nproc-per-node 2 -m pytorch_tutorial.distributed",
    )
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=50, help="per process; the global batch is N times it")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=runtime.DEFAULT_SEED)
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    parser.add_argument("--data-dir", type=Path, help="MNIST from DIR/MNIST/raw instead of the embedded subset")
    parser.add_argument("--full-data", action="store_true", help="the full MNIST (download it first)")
    return parser


def normalized(images: torch.Tensor) -> torch.Tensor:
    """MNIST pixels in [0, 1] standardized with the training set's mean and standard deviation."""
    return (images - mnist.MEAN) / mnist.STD


def max_abs_diff(a: nn.Module, b: nn.Module) -> float:
    """The largest absolute difference between corresponding parameters of two models of the same shape."""
    return max((pa - pb).abs().max().item() for pa, pb in zip(a.parameters(), b.parameters(), strict=True))


def one_step_vs_single_process(
    images: torch.Tensor, labels: torch.Tensor, batch_size: int, lr: float, device: torch.device
) -> tuple[float, float]:
    """Why DDP works: one SGD step on ``world_size`` shards of ``batch_size`` samples equals one step of a single
    process on all ``world_size * batch_size`` of them, from the same initial weights.

    The loss is a mean, and DDP averages the gradients of the ranks: the mean of equal-sized shard means is the
    mean over the whole batch. Every rank repeats the single-process step locally and compares it with its own
    replica. Returns (largest difference over all ranks, largest change of a weight in the step).
    """
    rank, world_size = dist.get_rank(), dist.get_world_size()
    global_batch = batch_size * world_size
    inputs, targets = images[:global_batch].to(device), labels[:global_batch].to(device)

    replica = DistributedDataParallel(models.FeedForward().to(device), device_ids=_device_ids(device))
    initial = copy.deepcopy(replica.module)  # DDP broadcast rank 0's weights: all replicas start from these
    single = copy.deepcopy(initial)
    loss_fn = nn.CrossEntropyLoss()

    # distributed: this rank sees only its shard of the batch
    shard = slice(rank * batch_size, (rank + 1) * batch_size)
    optimizer = torch.optim.SGD(replica.parameters(), lr=lr)
    loss_fn(replica(inputs[shard]), targets[shard]).backward()  # backward all-reduces (averages) the gradients
    optimizer.step()

    # single process: the whole batch at once
    single_optimizer = torch.optim.SGD(single.parameters(), lr=lr)
    loss_fn(single(inputs), targets).backward()
    single_optimizer.step()

    stats = torch.tensor([max_abs_diff(replica.module, single), max_abs_diff(replica.module, initial)], device=device)
    dist.all_reduce(stats, op=dist.ReduceOp.MAX)
    return stats[0].item(), stats[1].item()


def _device_ids(device: torch.device) -> list[int] | None:
    """DDP's ``device_ids``: this process's GPU on CUDA, None on the CPU."""
    return [device.index] if device.type == "cuda" else None


def accuracy_across_ranks(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, device: torch.device) -> float:
    """Accuracy on the whole test split, each rank evaluating every world_size-th sample, counts summed.

    Counting correct answers and samples and summing both across ranks gives the exact accuracy over the split
    (no sample counted twice, unlike a DistributedSampler, which pads the shards to equal length).
    """
    rank, world_size = dist.get_rank(), dist.get_world_size()
    shard = TensorDataset(images[rank::world_size], labels[rank::world_size])
    logits, targets = engine.predict(model, DataLoader(shard, batch_size=500), device)
    counts = torch.tensor([(logits.argmax(dim=1) == targets).sum().item(), len(targets)], device=device)
    dist.all_reduce(counts, op=dist.ReduceOp.SUM)
    return counts[0].item() / counts[1].item()


def train(args: argparse.Namespace) -> dict[str, object]:
    """Train FeedForward with DDP on this rank's shard of MNIST; returns the figures rank 0 writes out."""
    rank, world_size = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device("cuda", local_rank) if args.device == "cuda" else torch.device("cpu")

    train_images, train_labels = mnist.tensors(train=True)
    test_images, test_labels = mnist.tensors(train=False)
    train_images, test_images = normalized(train_images), normalized(test_images)

    max_diff, weight_change = one_step_vs_single_process(train_images, train_labels, args.batch_size, args.lr, device)

    torch.manual_seed(args.seed)
    model = DistributedDataParallel(models.FeedForward().to(device), device_ids=_device_ids(device))
    train_set = TensorDataset(train_images, train_labels)
    sampler = DistributedSampler(train_set, num_replicas=world_size, rank=rank, shuffle=True, seed=args.seed)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, sampler=sampler)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)

    train_losses = []
    start = time.perf_counter()
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)  # a different shuffle each epoch, the same on every rank
        rank_loss = engine.train_epoch(model, train_loader, loss_fn, optimizer, device, desc=f"rank {rank}")
        loss_sum = torch.tensor([rank_loss], device=device)
        dist.all_reduce(loss_sum, op=dist.ReduceOp.SUM)  # gloo has no AVG: sum, then divide
        loss = loss_sum.item() / world_size  # equal shards, so the mean of the ranks' means is the overall mean
        train_losses.append(loss)
        if rank == 0:
            print(f"epoch {epoch + 1}/{args.epochs}: train loss {loss:.4f} (mean over {world_size} ranks)", flush=True)
    train_seconds = time.perf_counter() - start

    test_accuracy = accuracy_across_ranks(model.module, test_images, test_labels, device)
    return {
        "world_size": world_size,
        "backend": dist.get_backend(),
        "device": args.device,
        "batch_size_per_rank": args.batch_size,
        "samples_per_rank": len(sampler),
        "epochs": args.epochs,
        "train_losses": train_losses,
        "train_seconds": train_seconds,
        "test_accuracy": test_accuracy,
        "test_samples": len(test_labels),
        "max_abs_diff_vs_single": max_diff,
        "one_step_weight_change": weight_change,
        "model": model.module,
    }


NOT_UNDER_TORCHRUN = (
    "error: this is the worker of lesson 23 and runs under torchrun, which tells each copy its rank: "
    "torchrun --standalone --nproc-per-node 2 -m pytorch_tutorial.distributed (or: pytorch-tutorial run 23)"
)


@record  # a failing rank's traceback goes into torchrun's failure summary
def main(args: argparse.Namespace) -> int:
    """Entry point of each worker process: join the group, train, rank 0 saves, leave the group."""
    backend = "nccl" if args.device == "cuda" else "gloo"
    if args.device == "cuda":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    dist.init_process_group(backend)  # rank, world size and the rendezvous address come from torchrun
    try:
        ctx = runtime.RunContext(
            number=23,
            slug="distributed",
            device=args.device,
            seed=args.seed,
            out_root=args.out_dir.parent,
            quiet=dist.get_rank() != 0,
            full_data=args.full_data,
            data_dir=args.data_dir,
        )
        with runtime.activate(ctx):
            result = train(args)
        if dist.get_rank() == 0:  # one writer: N ranks writing the same file would race
            model = result.pop("model")
            checkpoint_path = args.out_dir / CHECKPOINT_NAME
            checkpoint.save_atomic(
                {"model_state": model.state_dict(), "written_by_rank": 0, "world_size": result["world_size"]},
                checkpoint_path,
            )
            result["checkpoint"] = str(checkpoint_path)
            from pytorch_tutorial.cli import write_json_atomic

            write_json_atomic(args.out_dir / RESULT_NAME, result)
        dist.barrier()  # nobody leaves before rank 0 has written
    finally:
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    arguments = _parser().parse_args()  # --help and argument mistakes end here, outside torchrun's @record
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        print(NOT_UNDER_TORCHRUN, file=sys.stderr)
        sys.exit(2)
    exit_status = main(arguments) or 0
    # Every file is written and closed and the group is left. Now skip the interpreter's shutdown: there, torch's
    # C++ threads sometimes abort the process ("terminate called without an active exception", about 1 run in
    # 30 on our CPU machine), which torchrun would report as a failed rank although the work is done.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_status)
