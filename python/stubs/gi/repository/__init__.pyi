# gi.repository: the Mpaio namespace is typed (Mpaio.pyi); other namespaces
# (GLib, GObject, Gio, ...) are Any unless other stubs provide them.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
from typing import Any

def __getattr__(name: str) -> Any: ...
