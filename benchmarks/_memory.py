"""The resident memory of this process and its high-water mark (Linux only).

The memory benchmarks measure a call in a fresh child process: reset the
high-water mark (:func:`reset_peak`), read the resident set
(:func:`resident_bytes`), make the call, and read the mark (:func:`peak_bytes`);
the peak's growth is the second reading minus the first. ``getrusage``'s
``ru_maxrss`` is not used: after ``fork`` and ``exec`` it can keep the
parent's peak.
"""

MIB = 2**20


def _status_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak():
    """Set the high-water mark of the resident set to the resident set now."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def resident_bytes():
    """The resident set now (``VmRSS``)."""
    return _status_kib("VmRSS") * 1024


def peak_bytes():
    """High-water mark of the resident set since the last :func:`reset_peak`."""
    return _status_kib("VmHWM") * 1024
