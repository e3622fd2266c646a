# Shared by .ci/run and .ci/demo: install the build dependencies on Debian 12
# and build the project into build/. Sourced, not run.

PACKAGES=(
  build-essential pkg-config meson ninja-build clang-format
  libglib2.0-dev gobject-introspection libgirepository1.0-dev
  libgtk-4-dev libgtop2-dev libjson-glib-dev
  python3-gi gjs xvfb xauth python3-numpy python3-anyio python3-mypy gi-docgen dbus
  openmpi-bin libopenmpi-dev
)

as_root () {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  else
    sudo "$@"
  fi
}

install_dependencies () {
  local missing=()
  local pkg

  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done

  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi

  echo "Installing: ${missing[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${PACKAGES[@]}"
}

build_project () {
  if [ -f build/meson-private/coredata.dat ]; then
    meson setup --reconfigure build -Ddocs=true
  else
    meson setup build -Ddocs=true
  fi
  meson compile -C build
}

# The C sources and headers clang-format keeps formatted (.ci/format,
# .ci/check-format): those of the library, the GUI, the tests, the examples
# and the introspection tests, tracked or new; never the fuzzing corpus nor
# templates (*.h.in) that meson fills in.
format_files () {
  git ls-files --cached --others --exclude-standard -- \
      'mpaio/*.[ch]' 'gui/*.[ch]' 'tests/*.[ch]' 'examples/*.[ch]' 'introspection/*.[ch]' |
    grep -v '^tests/fuzz/corpus/' |
    sort -u |
    while read -r file; do
      if [ -f "$file" ]; then
        printf '%s\n' "$file"
      fi
    done
}

# Headers keep their declarations in hand-aligned columns, as GLib's do:
# clang-format is off from G_BEGIN_DECLS on. Prints the headers that do not
# say so yet.
headers_without_format_off () {
  local file

  for file in "$@"; do
    case $file in
      *.h)
        if grep -q '^G_BEGIN_DECLS' "$file" && ! grep -q '^/\* clang-format off \*/$' "$file"; then
          printf '%s\n' "$file"
        fi
        ;;
    esac
  done
}

# GLib's spelling of its cleanup macros, which clang-format leaves as it
# finds them (WhitespaceSensitiveMacros in .clang-format).
AUTO_MACRO_WITH_SPACE='\<(g_auto|g_autoptr|g_autolist|g_autoslist|g_autoqueue) \('
