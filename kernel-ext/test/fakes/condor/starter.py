"""The fake starter: python3 starter.py USAGE_FILE DELAY_MS CMD [ARGS...]

Runs the job (stdin, stdout and stderr as given), then writes what it used to USAGE_FILE
as JSON (wait4's rusage of the job's process tree, the wall time, the size of the initial
dir) and last its exit status to fd 3 (128 + N for a signal, as a shell reports it), where
the fake schedd finds them (lib.js, tick). DELAY_MS holds the report back, as a real
shadow's update of the schedd lags the job's exit.
"""
import json
import os
import sys
import time

MAX_DISK_ENTRIES = 10000


def disk_kib(top):
    """Size of the files under the job's initial dir, in KiB (HTCondor's DiskUsage)."""
    total, seen = 0, 0
    for root, dirs, files in os.walk(top):
        for f in files:
            seen += 1
            if seen > MAX_DISK_ENTRIES:
                return (total + 1023) // 1024
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return (total + 1023) // 1024


def main():
    usage_file, delay_ms, cmd = sys.argv[1], int(sys.argv[2] or 0), sys.argv[3:]
    start = time.time()
    pid = os.fork()
    if pid == 0:
        os.close(3)  # only the starter writes the exit status
        try:
            os.execv(cmd[0], cmd)
        except OSError:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.time() - start
    rc = os.waitstatus_to_exitcode(status)
    if rc < 0:
        rc = 128 - rc
    usage = {
        # ru_maxrss: KiB, the largest process of the tree (HTCondor sums the family's samples).
        'ResidentSetSize': ru.ru_maxrss,
        'RemoteUserCpu': round(ru.ru_utime, 3),
        'RemoteSysCpu': round(ru.ru_stime, 3),
        'RemoteWallClockTime': round(wall, 3),
        'DiskUsage': disk_kib(os.getcwd()),
    }
    try:
        with open(usage_file, 'w') as f:
            json.dump(usage, f)
    except OSError:
        pass
    if delay_ms > 0:
        time.sleep(delay_ms / 1000)
    os.write(3, b'%d\n' % rc)


main()
