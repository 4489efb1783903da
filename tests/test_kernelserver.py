"""The kernel server: each notebook still gets a fresh process of its own (forked with torch already imported, in
its own folder and environment); an interrupt reaches the kernel; a killed stand-in or a closed server leaves no
kernel behind; where the server is not used, kernels start the ordinary way."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from pytorch_tutorial import kernelserver, notebooks

pytestmark = pytest.mark.skipif(not kernelserver.available(), reason="kernels are forked on Linux only")


def _notebook(*cells: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(cell) for cell in cells]
    return nb


def _printed(nb) -> list[str]:
    return "".join(output.get("text", "") for cell in nb.cells for output in cell.outputs).splitlines()


def _gone(pid: int, within: float) -> bool:
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        status = Path(f"/proc/{pid}/status")
        try:
            if "\nState:\tZ" in status.read_text():
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_one_kernel_a_server_that_cannot_start_or_another_system_starts_kernels_the_ordinary_way(monkeypatch):
    with kernelserver.serving(1) as server:
        assert server is None
    with kernelserver.serving(2, preload=("no_such_module_anywhere",)) as server:
        assert server is None
    monkeypatch.setattr(kernelserver, "available", lambda: False)
    with kernelserver.serving(23) as server:
        assert server is None


def _two_notebooks_at_once(server: str, tmp_path: Path) -> None:
    """Each notebook in a process of its own, forked from the server: its folder, environment and threads."""
    probe = (
        "import os, sys\n"
        "print('torch' in sys.modules)\n"  # imported once by the server, before the fork
        "import torch\n"
        "print(os.getpid(), os.getppid(), os.getcwd(), os.environ['PROBE'], torch.get_num_threads())\n"
        "print('leftover' in globals())\n"
        "leftover = 1"
    )
    first, second = _notebook(probe), _notebook(probe)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()

    async def both(server):
        return await asyncio.gather(
            notebooks.execute_async(first, tmp_path / "a", {"PROBE": "one", "OMP_NUM_THREADS": "1"}, server),
            notebooks.execute_async(second, tmp_path / "b", {"PROBE": "two", "OMP_NUM_THREADS": "2"}, server),
        )

    assert asyncio.run(both(server)) == [None, None]
    seen = []
    for nb, folder, probe_value, threads in ((first, "a", "one", "1"), (second, "b", "two", "2")):
        preloaded, ids, leftover = _printed(nb)
        pid, parent, cwd, value, torch_threads = ids.split()
        assert preloaded == "True"
        assert (cwd, value, torch_threads) == (str(tmp_path / folder), probe_value, threads)
        assert leftover == "False"
        seen.append((int(pid), int(parent)))
    (pid_a, parent_a), (pid_b, parent_b) = seen
    assert pid_a != pid_b and parent_a == parent_b  # two processes, both children of the server
    assert pid_a != os.getpid() and parent_a != os.getpid()


class _Kernel:
    """A kernel started by hand through a stand-in, and a client to it."""

    def __init__(self, server: str, folder: Path) -> None:
        from jupyter_client import BlockingKernelClient
        from jupyter_client.connect import write_connection_file

        connection_file, _ = write_connection_file(str(folder / f"kernel-{len(list(folder.iterdir()))}.json"))
        argv = [part.replace("{connection_file}", connection_file) for part in kernelserver.stand_in_argv(server)]
        self.stand_in = subprocess.Popen(argv, cwd=folder, start_new_session=True, stderr=subprocess.DEVNULL)
        self.client = BlockingKernelClient(connection_file=connection_file)
        self.client.load_connection_file()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)
        self.pid = int(self.value("__import__('os').getpid()"))

    def value(self, expression: str, timeout: float = 60) -> str:
        """``repr`` of ``expression`` evaluated in the kernel, read from the execute reply (not from the output
        stream, whose messages may come after the reply)."""
        reply = self.client.execute_interactive("", user_expressions={"x": expression}, timeout=timeout)
        assert reply["content"]["status"] == "ok", reply["content"]
        result = reply["content"]["user_expressions"]["x"]
        assert result["status"] == "ok", result
        return result["data"]["text/plain"]

    def close(self) -> None:
        self.client.stop_channels()
        if self.stand_in.poll() is None:
            self.stand_in.kill()
        self.stand_in.wait()


def test_fresh_kernels_an_interrupt_a_shutdown_a_kill_and_the_servers_end(tmp_path):
    # one server for all of it, importing only torch of what it preloads for the lessons (seconds)
    with kernelserver.serving(3, preload=("torch",)) as server:
        assert server is not None
        _two_notebooks_at_once(server, tmp_path)
        kernels = [_Kernel(server, tmp_path) for _ in range(3)]
        try:
            first, second, third = kernels
            # an interrupt sent to the stand-in (jupyter_client signals its process group) stops the running cell
            # stop_on_error=False: after an error ipykernel answers "aborted" to requests that come in meanwhile
            # (CI's next request did, once), and the kernel going on is what is checked next
            first.client.execute("import time; time.sleep(60)", stop_on_error=False)
            time.sleep(0.5)
            start = time.perf_counter()
            os.killpg(first.stand_in.pid, signal.SIGINT)
            reply = first.client.get_shell_msg(timeout=10)
            assert reply["content"]["ename"] == "KeyboardInterrupt"
            assert time.perf_counter() - start < 5
            assert first.value("1 + 1") == "2"  # and the kernel goes on
            # a shutdown ends the kernel, and the stand-in with its exit status
            first.client.shutdown()
            assert first.stand_in.wait(timeout=10) == 0
            assert _gone(first.pid, within=2)
            # a killed stand-in (jupyter_client's last resort) takes its kernel along
            second.stand_in.kill()
            assert _gone(second.pid, within=2), "the kernel outlived its stand-in"
            assert third.value("'still here'") == "'still here'"  # the others go on
        finally:
            for kernel in kernels:
                kernel.client.stop_channels()
    # the server's end ends every kernel left, and their stand-ins
    assert _gone(third.pid, within=2)
    assert third.stand_in.wait(timeout=5) != 0
    for kernel in kernels:
        kernel.close()


def test_the_stand_in_alone_says_how_it_is_used():
    proc = subprocess.run(
        [sys.executable, "-m", "pytorch_tutorial.kernelserver"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("usage: python -m pytorch_tutorial.kernelserver")
