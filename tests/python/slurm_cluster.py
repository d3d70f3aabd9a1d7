"""A one-node Slurm cluster on localhost for the tests: munged with its own key and socket,
slurmctld and slurmd with a generated slurm.conf, everything under one directory; every
daemon is stopped by its pid (docs/DECISIONS.md D-126)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, List

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "sinfo", "scancel", "mungekey")


def missing_programs() -> List[str]:
    """Slurm and munge programs not installed (Debian: slurm-wlm munge)."""
    found = {p: shutil.which(p) or next((str(Path(d) / p) for d in ("/usr/sbin", "/sbin")
                                         if (Path(d) / p).exists()), None) for p in DAEMONS + CLIENTS}
    return [p for p, path in found.items() if path is None]


def _program(name: str) -> str:
    return shutil.which(name) or next(str(Path(d) / name) for d in ("/usr/sbin", "/sbin") if (Path(d) / name).exists())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SlurmCluster:
    """Start with start(); stop() stops every daemon it started, by pid, even after a failed start."""

    def __init__(self, root: Path):
        self.root = root
        self.pids: Dict[str, int] = {}
        self.procs: Dict[str, subprocess.Popen] = {}
        self.env: Dict[str, str] = {}

    def _daemon(self, name: str, argv: List[str]) -> None:
        """Starts a daemon in the foreground as our child, so that stop() can end and reap it by its pid."""
        log = open(self.root / "log" / f"{name}.out", "w")
        proc = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        self.procs[name] = proc
        self.pids[name] = proc.pid

    def _wait(self, what: str, ready, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if ready():
                return
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with status {proc.returncode} while waiting for {what}:\n" + self.logs())
            time.sleep(0.2)
        raise RuntimeError(f"timed out waiting for {what}:\n" + self.logs())

    def start(self) -> None:
        # Slurm's step daemons detach from slurmd: as a subreaper this process inherits and reaps them (stop()).
        try:
            import ctypes
            ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
            self.subreaper = True
        except (OSError, AttributeError):
            self.subreaper = False
        r = self.root
        for d in ("munge", "state", "spool", "log", "run"):
            (r / d).mkdir(parents=True, exist_ok=True)
        os.chmod(r / "munge", 0o700)
        key = r / "munge" / "munge.key"
        subprocess.run([_program("mungekey"), "--create", "--keyfile", str(key), "--force"], check=True,
                       capture_output=True)
        os.chmod(key, 0o600)
        sock = r / "munge" / "munge.socket"
        self.env = dict(os.environ)
        self._daemon("munged", [_program("munged"), "--foreground", "--force", f"--socket={sock}", f"--key-file={key}",
                                f"--pid-file={r / 'run' / 'munged.pid'}", f"--log-file={r / 'log' / 'munged.log'}",
                                f"--seed-file={r / 'munge' / 'munged.seed'}"])
        self._wait("munged's socket", sock.exists)
        host = socket.gethostname().split(".")[0]
        user = os.environ.get("USER") or __import__("pwd").getpwuid(os.getuid()).pw_name
        cpus = max(1, len(os.sched_getaffinity(0)))
        # slurmd drains a node that has less memory than configured: configure most of what there is.
        mem_kib = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal:"))
        memory_mib = max(200, int(mem_kib / 1024 * 0.8))
        conf = r / "slurm.conf"
        conf.write_text(f"""ClusterName=bitcimtest
SlurmctldHost={host}(127.0.0.1)
SlurmUser={user}
SlurmdUser={user}
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
AuthType=auth/munge
AuthInfo=socket={sock}
CredType=cred/munge
StateSaveLocation={r / 'state'}
SlurmdSpoolDir={r / 'spool'}
SlurmctldPidFile={r / 'run' / 'slurmctld.pid'}
SlurmdPidFile={r / 'run' / 'slurmd.pid'}
SlurmctldLogFile={r / 'log' / 'slurmctld.log'}
SlurmdLogFile={r / 'log' / 'slurmd.log'}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
SchedulerParameters=sched_interval=1
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory_mib} State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
""")
        self.env["SLURM_CONF"] = str(conf)
        self._daemon("slurmctld", [_program("slurmctld"), "-D", "-i"])
        self._daemon("slurmd", [_program("slurmd"), "-D", "-N", host])

        def idle() -> bool:
            out = subprocess.run([_program("sinfo"), "-h", "-o", "%t"], env=self.env, capture_output=True, text=True)
            return out.returncode == 0 and out.stdout.strip() in ("idle", "mix", "alloc")
        self._wait("the node to be idle (sinfo)", idle)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-1500:]}" for p in sorted((self.root / "log").glob("*.log")))

    def stop(self) -> None:
        """Cancels what still runs (a failed test's array), then SIGTERM to every daemon by its pid,
        slurmd first, SIGKILL after 10 s; each reaped, and the step daemons this process inherited."""
        if self.procs.get("slurmctld") and self.procs["slurmctld"].poll() is None:
            subprocess.run([_program("scancel"), "--partition=debug"], env=self.env, capture_output=True, timeout=30)
            end = time.monotonic() + 15
            while time.monotonic() < end:
                out = subprocess.run([_program("squeue"), "-h"], env=self.env, capture_output=True, text=True, timeout=30)
                if out.returncode != 0 or not out.stdout.strip():
                    break
                time.sleep(0.3)
        for name in ("slurmd", "slurmctld", "munged"):
            proc = self.procs.get(name)
            if proc is None or proc.poll() is not None:
                continue
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if getattr(self, "subreaper", False):
            time.sleep(0.2)
            while True:  # the exited step daemons we inherited
                try:
                    pid, _ = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
            import ctypes
            ctypes.CDLL(None, use_errno=True).prctl(36, 0, 0, 0, 0)
