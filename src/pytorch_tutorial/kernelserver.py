"""Jupyter kernels forked from one warm process, so that every notebook does not pay to import torch again.

A lesson's notebook in a fresh kernel spends about 5 s before its first line of real work: the kernel process
starts and imports ipykernel, then the lesson imports torch, torchvision and scikit-learn. The site's build and
``notebook all --execute`` run 23 of them. A *kernel server* imports all that once; every kernel is then a
``fork`` of it: still a fresh process for each notebook (its own globals, seeds, threads and working folder), in
a fraction of a second.

How it fits Jupyter: jupyter_client starts the kernel command of the kernelspec as usual, and here that command
is a small stand-in, ``python -m pytorch_tutorial.kernelserver SOCKET -f CONNECTION_FILE``. It sends the server
its environment, working folder and standard streams; the server forks a kernel with them and answers its pid.
The stand-in forwards the signals it receives (an interrupt, a terminate) to the kernel and exits with the
kernel's exit status, so that jupyter_client manages it as it would the kernel itself. If the stand-in dies (a
kill), the server kills its kernel; when the server's owner closes its standard input, the server kills every
kernel left and exits.

Only on Linux: macOS's system libraries are not safe to use in a forked child, and Windows has no fork. There
:func:`serving` gives ``None`` and every notebook gets an ordinary kernel.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

# what most lessons import: the server imports them once, every kernel inherits them
PRELOAD = (
    "numpy",
    "torch",
    "torchvision",
    "torchvision.transforms.v2",
    "matplotlib.pyplot",
    "sklearn.datasets",
    "sklearn.model_selection",
    "pytorch_tutorial.runtime",
    "pytorch_tutorial.models",
    "pytorch_tutorial.data.mnist",
)
INLINE = "module://matplotlib_inline.backend_inline"  # the backend ipykernel gives every kernel (MPLBACKEND)
READY = "ready"
START_TIMEOUT = 120  # seconds for the server to import PRELOAD on a busy machine


def available() -> bool:
    """True where kernels can be forked from a server (Linux)."""
    return sys.platform.startswith("linux")


def stand_in_argv(socket_path: str) -> list[str]:
    """The kernelspec's command for a kernel forked by the server listening on ``socket_path``."""
    return [sys.executable, "-m", "pytorch_tutorial.kernelserver", socket_path, "-f", "{connection_file}"]


@contextlib.contextmanager
def serving(kernels: int, preload: tuple[str, ...] = PRELOAD) -> Iterator[str | None]:
    """Run a kernel server for the ``with`` block, in which ``kernels`` notebooks will run; gives its socket path.

    The server imports the modules of ``preload`` before it forks any kernel. Gives None where it is not available,
    or for a single kernel (the server's imports would only move there). A server that cannot start (it failed
    to import what it preloads, or took longer than :data:`START_TIMEOUT`) also gives None: the kernels are then
    started the ordinary way, slower but the same.
    """
    if kernels < 2 or not available():
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="pytorch-tutorial-kernels-") as folder:
        path = str(Path(folder) / "server.sock")
        server = subprocess.Popen(
            [sys.executable, "-m", "pytorch_tutorial.kernelserver", "--serve", path, *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,  # a Ctrl-C in the terminal reaches the command, which shuts the kernels down
        )
        ready = False
        try:
            assert server.stdout is not None
            if select.select([server.stdout], [], [], START_TIMEOUT)[0]:  # a server stuck importing is not waited for
                ready = server.stdout.readline().strip() == READY
            yield path if ready else None
        finally:
            with contextlib.suppress(OSError):
                server.stdin.close()  # type: ignore[union-attr]  # the server kills its kernels and exits
            try:
                server.wait(timeout=5 if ready else 0.1)  # still importing (a Ctrl-C): no kernel to wait for
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


# ---------------------------------------------------------------------------------------------------------
# The server


def serve(path: str, preload: list[str]) -> None:
    """Import ``preload`` and ipykernel, listen on ``path``, fork a kernel for each stand-in, until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["MPLBACKEND"] = INLINE  # matplotlib reads it on import: the kernels' own choice, made here already
    for module in [*preload, "ipykernel.kernelapp", "ipykernel.debugger"]:  # the debugger: every kernel imports it
        __import__(module)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(sys.stdin, selectors.EVENT_READ, "lifeline")
    kernels: dict[int, socket.socket] = {}  # pid -> its stand-in's connection
    print(READY, flush=True)
    try:
        while True:
            for key, _ in selector.select(timeout=0.05):
                if key.data == "lifeline":
                    return  # the owner closed our stdin (or died): the finally kills every kernel
                if key.data == "accept":
                    connection, _ = listener.accept()
                    pid = _fork_kernel(connection, listener, selector, kernels)
                    if pid:
                        kernels[pid] = connection
                        selector.register(connection, selectors.EVENT_READ, pid)
                else:  # a stand-in closed its end: it was killed, so its kernel goes too
                    pid = key.data
                    _kill(pid)
                    selector.unregister(key.fileobj)
            _reap(kernels, selector)
    finally:
        for pid in kernels:
            _kill(pid)
        _reap(kernels, selector)


def _fork_kernel(
    connection: socket.socket,
    listener: socket.socket,
    selector: selectors.BaseSelector,
    kernels: dict[int, socket.socket],
) -> int:
    """Read a stand-in's request and fork its kernel; returns the kernel's pid (0 if the request was bad)."""
    message, fds, _, _ = socket.recv_fds(connection, 1 << 16, 3)
    while message and not message.endswith(b"\n"):  # the request is one line, maybe in several pieces
        piece = connection.recv(1 << 16)
        if not piece:
            break
        message += piece
    try:
        request = json.loads(message)
    except ValueError:
        request = None
    if request is None or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        connection.close()
        return 0
    pid = os.fork()
    if pid == 0:  # the kernel
        code = 1
        try:
            selector.close()
            listener.close()
            for other in kernels.values():
                other.close()
            code = _run_kernel(request, fds, connection)
        finally:
            os._exit(code)
    for fd in fds:
        os.close(fd)
    connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    return pid


def _run_kernel(request: dict, fds: list[int], connection: socket.socket) -> int:
    """In the forked child: become the kernel the stand-in asked for, with its streams, folder and environment."""
    connection.close()
    os.setsid()  # a process group of its own, as jupyter_client gives a kernel
    for signum in (signal.SIGTERM, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the server ignores it; a kernel is interrupted
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    threads = os.environ.get("OMP_NUM_THREADS", "")
    if threads.isdigit() and int(threads) > 0:
        import torch  # read OMP_NUM_THREADS when the server imported it; the kernel's own value counts

        torch.set_num_threads(int(threads))
    sys.argv = ["ipykernel_launcher", *request["argv"]]
    from ipykernel.kernelapp import IPKernelApp

    try:
        # parent_handle: the kernel exits if the server dies (and does not print how to connect to it)
        IPKernelApp.launch_instance(argv=request["argv"], parent_handle=os.getppid())
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 0
    return 0


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _reap(kernels: dict[int, socket.socket], selector: selectors.BaseSelector) -> None:
    """Tell the stand-in of every kernel that exited its status, and forget the kernel."""
    while kernels:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = kernels.pop(pid, None)
        if connection is None:
            continue
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(connection)
        with contextlib.suppress(OSError):
            connection.sendall(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode() + b"\n")
        connection.close()


# ---------------------------------------------------------------------------------------------------------
# The stand-in


def stand_in(path: str, argv: list[str]) -> int:
    """Ask the server at ``path`` for a kernel with our streams, folder and environment; forward signals to it
    and return its exit status."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
    socket.send_fds(connection, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
    replies = connection.makefile("r", encoding="utf-8")
    pid = json.loads(replies.readline())["pid"]

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, forward)
    line = replies.readline()  # a forwarded signal does not interrupt the wait (PEP 475)
    if not line:  # the server is gone
        return 1
    return int(json.loads(line)["exit"])


def main(argv: list[str] | None = None) -> int:
    """``--serve SOCKET [MODULE ...]`` runs the server; ``SOCKET -f CONNECTION_FILE`` is a kernel's stand-in."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) >= 2 and args[0] == "--serve":
        serve(args[1], args[2:])
        return 0
    if len(args) >= 2 and not args[0].startswith("-"):
        return stand_in(args[0], args[1:])
    print(
        "usage: python -m pytorch_tutorial.kernelserver --serve SOCKET [MODULE ...] | SOCKET -f CONNECTION_FILE",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
