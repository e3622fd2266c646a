#!/bin/bash
# test-sdk-install.sh: installs the build into a staging directory and uses
# it as an SDK: a C program built out of tree with pkg-config, and the Python
# demo through the installed typelib.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   test-sdk-install.sh BUILD_ROOT PREFIX LIBDIR INCLUDEDIR DATADIR SDK_DEMO_C PYTHON PY_DEMO \
#     PY_OVERRIDES_DIR
#
# Prints TAP.

set -u

build_root=$1 prefix=$2 libdir=$3 includedir=$4 datadir=$5
sdk_demo_c=$6 python=$7 py_demo=$8 py_overrides_dir=$9

# Only the staged SDK may be found (meson test points LD_LIBRARY_PATH at
# the build dir).
unset LD_LIBRARY_PATH GI_TYPELIB_PATH PYTHONPATH GJS_PATH

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mpaio-sdk-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

stage=$tmp/stage
root=$stage$prefix
[[ $libdir = /* ]] || libdir=$prefix/$libdir
[[ $includedir = /* ]] || includedir=$prefix/$includedir
[[ $datadir = /* ]] || datadir=$prefix/$datadir
staged_libdir=$stage$libdir
staged_includedir=$stage$includedir
staged_datadir=$stage$datadir
[[ $py_overrides_dir = /* ]] || py_overrides_dir=$prefix/$py_overrides_dir
staged_overrides_dir=$stage$py_overrides_dir
# The directory on sys.path that holds gi/overrides.
staged_site_dir=$(dirname "$(dirname "$staged_overrides_dir")")

n=0 failed=0
check () {
  local name=$1; shift
  n=$((n + 1))
  if out=$("$@" 2>&1); then
    echo "ok $n $name"
  else
    failed=$((failed + 1))
    echo "not ok $n $name"
    sed 's/^/# /' <<<"$out"
  fi
}

echo "TAP version 13"
echo "1..7"

# 1. The install itself (of what this build dir built; no rebuild, so no
#    recursion into ninja from inside meson test).
check "meson install --destdir" \
  meson install -C "$build_root" --no-rebuild --destdir "$stage" --quiet

# 2. The SDK's layout.
layout () {
  local missing=0
  for f in \
    "$staged_libdir/libmpaio-1.so" \
    "$staged_libdir/libmpaio-1.so.0" \
    "$staged_libdir/pkgconfig/mpaio-1.pc" \
    "$staged_libdir/girepository-1.0/Mpaio-1.0.typelib" \
    "$staged_datadir/gir-1.0/Mpaio-1.0.gir" \
    "$staged_includedir/mpaio-1/mpaio.h" \
    "$staged_includedir/mpaio-1/mpaio-version.h" \
    "$staged_includedir/mpaio-1/mpaio-enum-types.h" \
    "$staged_overrides_dir/Mpaio.py" \
    "$staged_datadir/gjs-1.0/mpaio.js" \
    "$staged_datadir/mpaio-1/python-stubs/gi/repository/Mpaio.pyi"; do
    [[ -e $f ]] || { echo "missing: ${f#"$stage"}"; missing=1; }
  done
  # Every header mpaio.h includes is installed.
  for h in $(sed -n 's/^# *include "\(.*\)"/\1/p' "$staged_includedir/mpaio-1/mpaio.h"); do
    [[ -e $staged_includedir/mpaio-1/$h ]] || { echo "mpaio.h includes $h, which is not installed"; missing=1; }
  done
  # No private header is.
  if ls "$staged_includedir"/mpaio-1/*-private.h >/dev/null 2>&1; then
    echo "private headers installed:" "$staged_includedir"/mpaio-1/*-private.h
    missing=1
  fi
  return $missing
}
check "installed layout" layout

# 3. Build a program against the staged SDK. The installed mpaio-1.pc names
#    the final prefix; a copy relocated to the staging root stands in for it
#    (pkg-config's --define-prefix cannot guess a multiarch libdir, and
#    --define-variable or a sysroot would move glib's paths as well).
mkdir -p "$tmp/pkgconfig"
sed "s|^prefix=.*|prefix=$root|" "$staged_libdir/pkgconfig/mpaio-1.pc" > "$tmp/pkgconfig/mpaio-1.pc"
build_sdk_demo () {
  local flags
  flags=$(PKG_CONFIG_PATH=$tmp/pkgconfig pkg-config --cflags --libs mpaio-1) || return 1
  echo "pkg-config: $flags"
  [[ $flags == *"-I$staged_includedir/mpaio-1"* ]] || { echo "cflags do not point into the stage"; return 1; }
  # shellcheck disable=SC2086
  cc -Wall -Werror -o "$tmp/sdk-demo" "$sdk_demo_c" $flags
}
check "C program builds with pkg-config --cflags --libs mpaio-1" build_sdk_demo

# 4. Run it, with its worker processes, against the staged library only.
run_sdk_demo () {
  local out
  out=$(LD_LIBRARY_PATH=$staged_libdir "$tmp/sdk-demo" 1000000) || return 1
  echo "$out"
  LD_LIBRARY_PATH=$staged_libdir ldd "$tmp/sdk-demo" | grep -q "$staged_libdir/libmpaio-1.so.0" ||
    { echo "not linked to the staged library"; return 1; }
  grep -qx "sum: 500000500000" <<<"$out" &&
    grep -qx "processes: 2" <<<"$out" &&
    grep -qx "main process in them: no" <<<"$out"
}
check "C program runs with its worker processes" run_sdk_demo

# 5. The installed typelib is the one Python loads.
typelib_is_staged () {
  GI_TYPELIB_PATH=$staged_libdir/girepository-1.0 LD_LIBRARY_PATH=$staged_libdir \
    PYTHONPATH=$staged_site_dir "$python" - "$staged_libdir" "$staged_overrides_dir" <<'PY'
import sys
import gi
gi.require_version("Mpaio", "1.0")
from gi.repository import GIRepository, Mpaio
import gi.overrides.Mpaio
# The installed overrides are the ones PyGObject loaded.
print(gi.overrides.Mpaio.__file__)
assert gi.overrides.Mpaio.__file__.startswith(sys.argv[2]), gi.overrides.Mpaio.__file__
assert hasattr(Mpaio.SharedArray, "as_numpy")
path = GIRepository.Repository.get_default().get_typelib_path("Mpaio")
print(path)
assert path.startswith(sys.argv[1]), path
assert Mpaio.Worker.__gtype__.name == "MpaioWorker"
with open("/proc/self/maps") as maps:
    libs = {line.split()[-1] for line in maps if "libmpaio-1.so" in line}
print(libs)
assert libs and all(lib.startswith(sys.argv[1]) for lib in libs), libs
PY
}
check "installed typelib, library and overrides load" typelib_is_staged

# 6. The Python demo, its workers in Python, against the installed typelib.
run_python_demo () {
  local out
  out=$(cd "$tmp" && GI_TYPELIB_PATH=$staged_libdir/girepository-1.0 LD_LIBRARY_PATH=$staged_libdir \
    PYTHONPATH=$staged_site_dir "$python" "$py_demo" --workers 2 --size 100000) || return 1
  echo "$out"
  grep -qx "sum: 5000050000" <<<"$out" &&
    grep -qx "concat: $(printf 'foo_%d' $(seq 0 99))" <<<"$out"
}
check "Python demo runs on the installed typelib" run_python_demo

# 7. gjs finds the installed helper module in DATADIR/gjs-1.0 of the XDG data
#    directories, as imports.mpaio.
gjs_helper_is_staged () {
  command -v gjs >/dev/null || { echo "no gjs"; return 0; }
  GI_TYPELIB_PATH=$staged_libdir/girepository-1.0 LD_LIBRARY_PATH=$staged_libdir \
    XDG_DATA_DIRS=$staged_datadir:/usr/share gjs -c '
      const MpaioJs = imports.mpaio;
      const array = imports.gi.Mpaio.SharedArray.new(imports.gi.Mpaio.DType.FLOAT64, [3]);
      if (!(array.asTypedArray() instanceof Float64Array))
        throw new Error("no typed array");
      print(imports.searchPath.join(" "));'
}
check "installed gjs helper module loads" gjs_helper_is_staged

exit $((failed > 0))
