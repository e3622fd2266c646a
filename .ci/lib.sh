# Shared by .ci/run and .ci/demo: install the build dependencies on Debian 12
# and build the project into build/. Sourced, not run.

PACKAGES=(
  build-essential pkg-config meson ninja-build
  libglib2.0-dev gobject-introspection libgirepository1.0-dev
  libgtk-4-dev libgtop2-dev libjson-glib-dev
  python3-gi gjs xvfb xauth python3-numpy gi-docgen dbus
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
