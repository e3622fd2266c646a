# Type stubs of the parts of PyGObject's gi package an Mpaio program uses.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
from typing import Any

__version__: str

def require_version(namespace: str, version: str) -> None: ...
def __getattr__(name: str) -> Any: ...
