#!/bin/sh
# mpirun -n 3 DEMO --executor mpi prints the local demo's answers and that
# all 3 ranks ran chunks; DEMO is the C demo or the Python or gjs one.
# Usage: test-mpi-demo.sh MPIRUN DEMO-COMMAND...
set -eu

mpirun=$1
shift
args="--size 1000000 --partitions 24"

local_out=$("$@" $args --workers 2)
mpi_out=$("$mpirun" --oversubscribe -n 3 --mca btl self,tcp --mca btl_tcp_if_include lo \
  "$@" $args --executor mpi)

for key in sum concat; do
  want=$(printf '%s\n' "$local_out" | grep "^$key: ")
  got=$(printf '%s\n' "$mpi_out" | grep "^$key: " || true)
  if [ "$want" != "$got" ]; then
    echo "FAIL: $key differs: local '$want', mpi '$got'" >&2
    exit 1
  fi
done

ranks=$(printf '%s\n' "$mpi_out" | grep '^ranks: ' || true)
if [ "$ranks" != "ranks: 3" ]; then
  echo "FAIL: expected 'ranks: 3', got '$ranks'" >&2
  printf '%s\n' "$mpi_out" >&2
  exit 1
fi
echo "ok: $ranks, same sum and concat as the local demo"
