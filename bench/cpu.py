"""CPU seconds of processes, from ``/proc`` (Linux): what a side of P8 consumed, whatever the wall clock says.

On a shared machine the wall time of a run depends on what else runs; the CPU time its processes
(Odoo's and PostgreSQL's backends) used tells whether a path does more work or only waited for a core.
Elsewhere than Linux every figure is None.
"""

import os

try:
    TICKS = os.sysconf("SC_CLK_TCK")
except (AttributeError, ValueError, OSError):
    TICKS = None


def cpu_seconds(pid):
    """User + system CPU seconds of one process (threads included), or None."""
    if not TICKS:
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # Fields 14 and 15 of proc(5), counted after the command name: utime, stime.
    return (int(fields[11]) + int(fields[12])) / TICKS


def snapshot(pids):
    """{pid: CPU seconds} of those processes that exist."""
    seconds = {pid: cpu_seconds(pid) for pid in pids}
    return {pid: value for pid, value in seconds.items() if value is not None}


def used(before, after):
    """CPU seconds used between two snapshots; a process born in between counts from zero."""
    if not TICKS:
        return None
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def group_pids(pgid):
    """The processes of a process group (an Odoo server and its workers)."""
    pids = []
    for entry in os.listdir("/proc") if TICKS else ():
        if not entry.isdigit():
            continue
        try:
            if os.getpgid(int(entry)) == pgid:
                pids.append(int(entry))
        except OSError:
            continue
    return pids
