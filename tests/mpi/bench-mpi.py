#!/usr/bin/env python3
# The MPI executor's figures, each against a baseline measured in the same
# run: raw MPI (ping-pong, MPI_Send) and the local process pool.
# Usage: bench-mpi.py MPIRUN BENCH-MPI
import os
import subprocess
import sys

mpirun, bench = sys.argv[1], sys.argv[2]
# Two ranks, each a host, over TCP on the loopback interface.
MPIRUN = [mpirun, '--oversubscribe', '-n', '2', '--mca', 'btl', 'self,tcp',
          '--mca', 'btl_tcp_if_include', 'lo']
env = dict(os.environ, MPAIO_MPI_HOST_PER_RANK='1', OMPI_ALLOW_RUN_AS_ROOT='1',
           OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1')


def run(command, **extra):
    out = subprocess.run(command, env=dict(env, **extra), check=True, stdout=subprocess.PIPE,
                         text=True, timeout=600).stdout
    figures = {}
    for line in out.splitlines():
        name, _, value = line.partition(' ')
        try:
            figures[name] = float(value)
        except ValueError:
            pass
    return figures


# Chunks in flight to the one other host, and ping-pong messages in flight.
depth = 64
# The machine may be busy with other work: each figure is the best of three
# runs, mpaio's and its baseline's alternated.
best = {}
lower_is_better = {'cpu-seconds-local', 'cpu-seconds-mpi', 'second-run-bytes',
                   'idle-cpu-rank0', 'idle-cpu-rank1'}


def keep(figures, suffix=''):
    for name, value in figures.items():
        key = name + suffix
        if key not in best:
            best[key] = value
        elif key in lower_is_better:
            best[key] = min(best[key], value)
        else:
            best[key] = max(best[key], value)


for _ in range(3):
    keep(run(MPIRUN + [bench, '--mode', 'mpaio', '--depth', str(depth)]))
    keep(run(MPIRUN + [bench, '--mode', 'raw', '--depth', str(depth)], MPAIO_MPI='0'))
    keep(run([bench, '--mode', 'cpu-local']), '-local')
    keep(run(MPIRUN + [bench, '--mode', 'cpu-mpi']), '-mpi')

mpaio = raw = best
local = {'cpu-seconds': best['cpu-seconds-local']}
mpi = {'cpu-seconds': best['cpu-seconds-mpi']}

rows = [
    ('dispatch of empty chunks (chunks/s)', mpaio['dispatch-rate'],
     f'raw MPI ping-pong at depth {depth}', raw['pingpong-rate'], 0.5),
    ('CPU-bound run, 2 ranks x 1 process (runs/s)', 1 / mpi['cpu-seconds'],
     'local pool of 2 processes', 1 / local['cpu-seconds'], 0.9),
    ('rows shipped, 256 MiB (MB/s)', mpaio['rows-bandwidth'] / 1e6,
     'raw MPI_Send of the same bytes', raw['send-bandwidth'] / 1e6, 0.8),
]

print(f'{"figure":<44} {"mpaio":>12} {"baseline":>12}  {"ratio":>6}  goal')
for name, value, baseline_name, baseline, goal in rows:
    ratio = value / baseline
    verdict = 'PASS' if ratio >= goal else 'MISS'
    print(f'{name:<44} {value:>12.3f} {baseline:>12.3f}  {ratio:>6.2f}  >= {goal} {verdict}'
          f'  (baseline: {baseline_name})')
print(f'{"bytes of rows sent, first run":<44} {mpaio["first-run-bytes"]:>12.0f}')
second = mpaio['second-run-bytes']
print(f'{"bytes of rows sent, second run":<44} {second:>12.0f}'
      f'{"":>22}  == 0 {"PASS" if second == 0 else "MISS"}')
for rank in ('rank0', 'rank1'):
    key = f'idle-cpu-{rank}'
    if key in mpaio:
        print(f'{"idle CPU of " + rank + " (% of a core)":<44} {mpaio[key]:>12.2f}'
              f'{"":>22}  < 5 {"PASS" if mpaio[key] < 5 else "MISS"}')
