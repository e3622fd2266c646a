# Mpaio.py: PyGObject overrides for Mpaio, numpy views of shared arrays,
# exceptions that reach the run's error, blocking and awaitable runs, and
# Mpaio.map
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# PyGObject loads this module in place of the bare introspected one whenever
# a program does `from gi.repository import Mpaio`: everything the typelib
# has is still there, these classes and functions come on top.

import asyncio
import ctypes
import fcntl
import functools
import importlib
import os
import pickle
import sys
import traceback
import weakref

from gi.repository import Gio, GLib, GObject

from ..module import get_introspection_module
from ..overrides import override

Mpaio = get_introspection_module("Mpaio")

__all__ = []

# ---------------------------------------------------------------------------
# Shared arrays as numpy arrays

_BYTE_ORDER = "<" if sys.byteorder == "little" else ">"

# The array-interface type string of each dtype, in host byte order.
_TYPESTRS = {
    Mpaio.DType.INT8: "|i1",
    Mpaio.DType.UINT8: "|u1",
    Mpaio.DType.INT16: _BYTE_ORDER + "i2",
    Mpaio.DType.UINT16: _BYTE_ORDER + "u2",
    Mpaio.DType.INT32: _BYTE_ORDER + "i4",
    Mpaio.DType.UINT32: _BYTE_ORDER + "u4",
    Mpaio.DType.INT64: _BYTE_ORDER + "i8",
    Mpaio.DType.UINT64: _BYTE_ORDER + "u8",
    Mpaio.DType.FLOAT32: _BYTE_ORDER + "f4",
    Mpaio.DType.FLOAT64: _BYTE_ORDER + "f8",
}

# numpy's kind and item size → dtype, for from_numpy().
_DTYPES = {
    ("i", 1): Mpaio.DType.INT8,
    ("u", 1): Mpaio.DType.UINT8,
    ("i", 2): Mpaio.DType.INT16,
    ("u", 2): Mpaio.DType.UINT16,
    ("i", 4): Mpaio.DType.INT32,
    ("u", 4): Mpaio.DType.UINT32,
    ("i", 8): Mpaio.DType.INT64,
    ("u", 8): Mpaio.DType.UINT64,
    ("f", 4): Mpaio.DType.FLOAT32,
    ("f", 8): Mpaio.DType.FLOAT64,
}

_F_SEAL_WRITE = 0x0008
_F_SEAL_FUTURE_WRITE = 0x0010


def _library():
    # The library the typelib names is already loaded: this finds it, and
    # gives the one C call the typelib leaves out (the mapping's address).
    lib = getattr(_library, "lib", None)
    if lib is None:
        lib = ctypes.CDLL(_shared_library_name())
        lib.mpaio_shared_array_get_data.restype = ctypes.c_void_p
        lib.mpaio_shared_array_get_data.argtypes = [ctypes.c_void_p]
        _library.lib = lib
    return lib


def _shared_library_name():
    # The name the typelib records (the library's soname).
    import gi

    gi.require_version("GIRepository", "2.0")
    from gi.repository import GIRepository

    return GIRepository.Repository.get_default().get_shared_library("Mpaio").split(",")[0]


_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def _mapping_is_writable(array):
    # What the library did when it mapped the array: read-only in worker
    # processes unless the array is an output array, and read-only in any
    # process where the file itself cannot be written (opened read-only, or
    # sealed against writing).
    if array.get_flags() & Mpaio.SharedArrayFlags.WRITABLE:
        return True
    if Mpaio.is_worker_process():
        return False
    fd = array.get_fd()
    if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
        return False
    try:
        seals = fcntl.fcntl(fd, fcntl.F_GET_SEALS)
    except OSError:
        seals = 0
    return not seals & (_F_SEAL_WRITE | _F_SEAL_FUTURE_WRITE)


def _array_interface(array):
    dtype = array.get_dtype()
    if dtype == Mpaio.DType.STRING:
        typestr = "|S%d" % array.get_item_size()
    else:
        typestr = _TYPESTRS[dtype]
    address = _library().mpaio_shared_array_get_data(_capsule_pointer(array.__gpointer__, None))
    return {
        "version": 3,
        "shape": tuple(array.get_shape()),
        "typestr": typestr,
        # An empty array has no memory: address 0.
        "data": (address or 0, not _mapping_is_writable(array)),
        "strides": None,
    }


def _numpy():
    # numpy is only needed by programs that use it; imported once, on first
    # use (an import statement costs a lookup on every call).
    numpy = _numpy.module
    if numpy is None:
        import numpy

        _numpy.module = numpy
    return numpy


_numpy.module = None


class SharedArray(Mpaio.SharedArray):
    """A typed array in shared memory; seen from numpy without a copy."""

    @property
    def __array_interface__(self):
        # Computed once per array and process: the layout never changes. The
        # dict holds no reference to the array, so caching it makes no cycle.
        interface = self.__dict__.get("_mpaio_array_interface")
        if interface is None:
            interface = _array_interface(self)
            self._mpaio_array_interface = interface
        return interface

    def as_numpy(self):
        """The array's memory as a numpy array, without a copy.

        The view has the array's shape and dtype, and is read-only where the
        array is (an input array in a worker process). It keeps the array
        alive.
        """
        numpy = _numpy()
        interface = self.__array_interface__
        if interface["data"][0] == 0:
            # An empty array has no memory to view.
            return numpy.empty(interface["shape"], dtype=interface["typestr"])
        return numpy.asarray(self)

    @classmethod
    def from_numpy(cls, ndarray, writable=False):
        """Copies a numpy array into a new shared array, once.

        Integers of 8 to 64 bits, float32, float64 and byte strings ("S")
        are supported, any shape of at least one dimension; a non-native
        byte order is converted. With writable=True worker processes can
        write the array (an output array).
        """
        import numpy

        ndarray = numpy.asarray(ndarray)
        if ndarray.ndim == 0:
            raise ValueError("Mpaio.SharedArray.from_numpy() needs an array of at least one "
                             "dimension, not a scalar")
        kind, item_size = ndarray.dtype.kind, ndarray.dtype.itemsize
        if kind == "S":
            dtype = Mpaio.DType.STRING
        else:
            dtype = _DTYPES.get((kind, item_size))
            if dtype is None:
                raise TypeError("Mpaio.SharedArray.from_numpy(): numpy dtype %s has no Mpaio.DType "
                                "(use integers, float32, float64 or bytes 'S')" % ndarray.dtype)
        flags = Mpaio.SharedArrayFlags.WRITABLE if writable else Mpaio.SharedArrayFlags.NONE
        array = Mpaio.SharedArray.new_full(dtype, max(item_size, 1), list(ndarray.shape), flags)
        if array.get_size() > 0:
            numpy.copyto(numpy.asarray(array), ndarray, casting="equiv")
        return array


SharedArray = override(SharedArray)
__all__.append("SharedArray")

# ---------------------------------------------------------------------------
# Workers: exceptions become errors of the run

_WORKER_FAILED = Mpaio.Error.WORKER_FAILED
_TRACEBACK_LINES = 6


def _describe_exception(exception):
    # The exception's type and message, then the last frames of its
    # traceback (without the wrapper's own frame): enough to find the line in
    # the main process, where the worker process's stderr may not be seen.
    name = type(exception).__qualname__
    module = type(exception).__module__
    if module not in ("builtins", "__main__"):
        name = "%s.%s" % (module, name)
    text = "%s: %s" % (name, exception) if str(exception) else name
    tb = exception.__traceback__.tb_next if exception.__traceback__ else None
    lines = "".join(traceback.format_tb(tb)).rstrip("\n").splitlines() if tb else []
    if lines:
        text += "\nTraceback (most recent call last):\n" + "\n".join(lines[-_TRACEBACK_LINES:])
    return text


def _error_from_exception(exception):
    if isinstance(exception, GLib.Error):
        return exception
    return GLib.Error.new_literal(Mpaio.error_quark(), _describe_exception(exception),
                                  _WORKER_FAILED)


def _wrap_process(process):
    @functools.wraps(process)
    def do_process(self, chunk):
        try:
            return process(self, chunk)
        except GLib.Error:
            # Travels as it is, domain and code kept.
            raise
        except Exception as exception:
            # A plain exception would reach the library as no result and no
            # error; as a GLib.Error the run reports it.
            raise _error_from_exception(exception) from None

    do_process._mpaio_wrapped = True
    return do_process


def _wrap_process_callback(process_callback):
    @functools.wraps(process_callback)
    def do_process_callback(self, chunk, result):
        try:
            process_callback(self, chunk, result)
        except BaseException as exception:
            # PyGObject would print it and go on; the run fails with it.
            self.fail_run(_error_from_exception(exception))

    do_process_callback._mpaio_wrapped = True
    return do_process_callback


class Worker(Mpaio.Worker):
    """What to compute for each chunk (do_process, in a worker process) and
    what to do with each result (do_process_callback, in the main process).

    An exception raised in do_process fails the chunk with a GLib.Error of
    Mpaio.Error.WORKER_FAILED naming the exception, its message and the last
    lines of its traceback; a GLib.Error raised there keeps its domain and
    code. An exception raised in do_process_callback fails the run with its
    text (see Mpaio.Worker.fail_run).
    """

    def __init_subclass__(cls, **kwargs):
        # Runs before PyGObject hooks the subclass's do_* methods up as
        # virtual methods, so the wrappers are what gets hooked up.
        super().__init_subclass__(**kwargs)
        namespace = cls.__dict__
        process = namespace.get("do_process")
        if callable(process) and not getattr(process, "_mpaio_wrapped", False):
            cls.do_process = _wrap_process(process)
        callback = namespace.get("do_process_callback")
        if callable(callback) and not getattr(callback, "_mpaio_wrapped", False):
            cls.do_process_callback = _wrap_process_callback(callback)


Worker = override(Worker)
__all__.append("Worker")

# ---------------------------------------------------------------------------
# Programs that cannot be started again

_SPAWN_FAILED = Mpaio.Error.SPAWN_FAILED


def _why_not_rerunnable():
    """Why worker processes cannot start this program again, or None."""
    if "ipykernel" in sys.modules:
        return "runs in a Jupyter kernel"
    argv0 = sys.argv[0] if sys.argv else ""
    if argv0 == "-":
        return "was read from standard input (python3 -)"
    if argv0 == "":
        return "is typed at the interactive prompt"
    return None


def _not_rerunnable_error(reason):
    return GLib.Error.new_literal(
        Mpaio.error_quark(),
        "This Python program %s, so worker processes cannot start it again to find its "
        "worker classes. Save the program to a file and run that file, give the worker "
        "processes a program of their own with Mpaio.ProcessPool.new_with_argv(), or run the "
        "workers on threads with Mpaio.ThreadPool.new(); Mpaio.map() works here with a "
        "function of an importable module (not one defined in this program)" % reason,
        _SPAWN_FAILED)


class ProcessPool(Mpaio.ProcessPool):
    @classmethod
    def new(cls, n_workers=0):
        """A pool of worker processes running this program again.

        Raises GLib.Error (Mpaio.Error.SPAWN_FAILED) saying what to do when
        the program cannot be started again: read from standard input, typed
        at the prompt, or run in a Jupyter kernel.
        """
        reason = _why_not_rerunnable()
        if reason is not None:
            raise _not_rerunnable_error(reason)
        return Mpaio.ProcessPool.new(n_workers)


ProcessPool = override(ProcessPool)
__all__.append("ProcessPool")

# ---------------------------------------------------------------------------
# Driving the GLib main context from an asyncio loop, without a thread

_glib = ctypes.CDLL("libglib-2.0.so.0")
_glib.g_main_context_ref_thread_default.restype = ctypes.c_void_p
_glib.g_main_context_unref.argtypes = [ctypes.c_void_p]
_glib.g_main_context_acquire.argtypes = [ctypes.c_void_p]
_glib.g_main_context_release.argtypes = [ctypes.c_void_p]
_glib.g_main_context_prepare.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
_glib.g_main_context_query.argtypes = [ctypes.c_void_p, ctypes.c_int,
                                       ctypes.POINTER(ctypes.c_int), ctypes.c_void_p,
                                       ctypes.c_int]
_glib.g_main_context_iteration.argtypes = [ctypes.c_void_p, ctypes.c_int]


class _PollFD(ctypes.Structure):
    _fields_ = [("fd", ctypes.c_int), ("events", ctypes.c_ushort), ("revents", ctypes.c_ushort)]


_G_IO_IN, _G_IO_OUT, _G_IO_PRI, _G_IO_ERR, _G_IO_HUP = 1, 4, 2, 8, 16
# Ready sources are dispatched this many at a time before the asyncio loop
# gets a turn.
_DISPATCH_BATCH = 64


class _ContextPump:
    """Dispatches a GLib main context's sources from an asyncio loop.

    While at least one run needs it, the pump asks the context which file
    descriptors it waits for and for how long (g_main_context_prepare and
    query), watches those with the loop's add_reader/add_writer and a timer,
    and dispatches the context's ready sources without blocking when any
    fires. Callbacks so run on the asyncio loop's thread, and the loop is
    never blocked.
    """

    def __init__(self, loop, context):
        self._loop = loop
        self._context = context  # a GMainContext *, referenced
        self._users = 0
        self._scheduled = False
        self._readers = []
        self._writers = []
        self._timer = None
        self._fds = (_PollFD * 16)()

    def hold(self):
        self._users += 1
        self._schedule()

    def release(self):
        self._users -= 1
        if self._users == 0:
            # Idle: nothing kept, neither the loop's watches nor this pump
            # (a later run makes another).
            self._unwatch()
            if _pumps.get(self._loop) is self:
                del _pumps[self._loop]
            _glib.g_main_context_unref(self._context)
            self._context = None

    def _schedule(self, *args):
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._iterate)

    def _unwatch(self):
        for fd in self._readers:
            self._loop.remove_reader(fd)
        for fd in self._writers:
            self._loop.remove_writer(fd)
        self._readers.clear()
        self._writers.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _iterate(self):
        self._scheduled = False
        self._unwatch()
        for _ in range(_DISPATCH_BATCH):
            if self._users == 0 or not _glib.g_main_context_iteration(self._context, 0):
                break
        else:
            # More is ready: let the asyncio loop run its own callbacks first.
            self._schedule()
            return
        if self._users == 0:
            return
        self._watch()

    def _watch(self):
        context = self._context
        if not _glib.g_main_context_acquire(context):
            # Another thread iterates the context: look again soon.
            self._timer = self._loop.call_later(0.001, self._schedule)
            return
        try:
            priority = ctypes.c_int()
            if _glib.g_main_context_prepare(context, ctypes.byref(priority)):
                self._schedule()
                return
            timeout = ctypes.c_int()
            while True:
                n_fds = _glib.g_main_context_query(context, priority.value, ctypes.byref(timeout),
                                                   self._fds, len(self._fds))
                if n_fds <= len(self._fds):
                    break
                self._fds = (_PollFD * n_fds)()
        finally:
            _glib.g_main_context_release(context)

        for poll_fd in self._fds[:n_fds]:
            if poll_fd.events & (_G_IO_IN | _G_IO_PRI | _G_IO_HUP | _G_IO_ERR):
                self._loop.add_reader(poll_fd.fd, self._schedule)
                self._readers.append(poll_fd.fd)
            if poll_fd.events & _G_IO_OUT:
                self._loop.add_writer(poll_fd.fd, self._schedule)
                self._writers.append(poll_fd.fd)
        if timeout.value == 0:
            self._schedule()
        elif timeout.value > 0:
            self._timer = self._loop.call_later(timeout.value / 1000, self._schedule)


# The pump of each asyncio loop while runs awaited in it are in progress,
# for the thread-default context of the thread that runs the loop.
_pumps = weakref.WeakKeyDictionary()


def _pump_for(loop):
    pump = _pumps.get(loop)
    if pump is None:
        pump = _ContextPump(loop, _glib.g_main_context_ref_thread_default())
        _pumps[loop] = pump
    return pump


# ---------------------------------------------------------------------------
# Runs: blocking, with a callback, or awaited


class Orchestrator(Mpaio.Orchestrator):
    def run(self, cancellable=None):
        """Runs every chunk and returns the run's Mpaio.RunReport.

        Blocks the calling thread until the run is over, dispatching the
        thread-default main context meanwhile (the workers' callbacks run
        from here). Raises GLib.Error when the run fails.
        """
        context = GLib.MainContext.ref_thread_default()
        outcome = []
        Mpaio.Orchestrator.run_async(self, cancellable,
                                     lambda source, result: outcome.append(result))
        while not outcome:
            context.iteration(True)
        return self.run_finish(outcome[0])

    def run_async(self, cancellable=None, callback=None, *user_data):
        """Starts a run.

        With a callback, as in C: callback(orchestrator, result, *user_data)
        runs when the run is over; get its report with run_finish(result).

        Without one, returns an asyncio future of the run's report (or its
        GLib.Error): `report = await orchestrator.run_async()` inside a
        running asyncio loop (asyncio.run(), anyio with its asyncio
        backend). The loop is not blocked: the GLib main context is
        dispatched from it while the run lasts. Cancelling the awaiting task
        cancels the run.
        """
        if callback is not None:
            return Mpaio.Orchestrator.run_async(self, cancellable, callback, *user_data)

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError("Mpaio.Orchestrator.run_async() without a callback is awaited in a "
                               "running asyncio loop; outside one, call run() or give a "
                               "callback") from None

        future = loop.create_future()
        pump = _pump_for(loop)
        if cancellable is None:
            cancellable = Gio.Cancellable()

        def done(source, result):
            pump.release()
            if future.cancelled():
                return
            try:
                future.set_result(source.run_finish(result))
            except GLib.Error as error:
                future.set_exception(error)

        def on_future_done(future):
            if future.cancelled():
                cancellable.cancel()

        future.add_done_callback(on_future_done)
        pump.hold()
        try:
            Mpaio.Orchestrator.run_async(self, cancellable, done)
        except BaseException:
            pump.release()
            raise
        return future


Orchestrator = override(Orchestrator)
__all__.append("Orchestrator")

# ---------------------------------------------------------------------------
# Mpaio.map: a function over chunks of rows, without a subclass


def _function_name(function):
    module = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        raise TypeError("Mpaio.map() needs a function defined at the top level of a module, "
                        "which worker processes find by its module and name; %r is not one "
                        "(a lambda, a nested function or a callable object)" % (function,))
    return "%s:%s" % (module, qualname)


_functions = {}


def _resolve_function(name):
    function = _functions.get(name)
    if function is None:
        module_name, qualname = name.split(":", 1)
        module = sys.modules.get(module_name) or importlib.import_module(module_name)
        function = module
        for part in qualname.split("."):
            function = getattr(function, part)
        _functions[name] = function
    return function


def _pickle_variant(value):
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return GLib.Variant.new_from_bytes(GLib.VariantType.new("ay"), GLib.Bytes.new(data), True)


def _unpickle_variant(variant):
    return pickle.loads(variant.get_data_as_bytes().get_data())


class _MapWorker(Mpaio.Worker):
    # Registered in every process that imports Mpaio, so worker processes
    # know it; its module name keeps PyGObject from taking it for part of the
    # overrides (which register no type).
    __module__ = "gi.repository.Mpaio.map"
    __gtype_name__ = "MpaioPyMapWorker"

    function = GObject.Property(type=str, default="")
    output = GObject.Property(type=Mpaio.SharedArray)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.results = {}

    def do_process(self, chunk):
        try:
            function = _resolve_function(self.function)
            rows = self.get_array().as_numpy()[chunk.start:chunk.end]
            # Read-only on every executor (a thread pool's worker shares the
            # main process's writable mapping).
            rows.flags.writeable = False
            output = self.output
            if output is None:
                value = function(rows)
            else:
                value = function(rows, output.as_numpy()[chunk.start:chunk.end])
            return _pickle_variant(value)
        except GLib.Error:
            raise
        except Exception as exception:
            raise _error_from_exception(exception) from None

    def do_process_callback(self, chunk, result):
        try:
            self.results[chunk.index] = _unpickle_variant(result)
        except BaseException as exception:
            self.fail_run(_error_from_exception(exception))


_default_pools = {}


def _default_pool():
    # One pool for every map() of the program that names none: starting
    # worker processes costs far more than a chunk.
    pool = _default_pools.get("pool")
    if pool is None:
        if _why_not_rerunnable() is None:
            pool = Mpaio.ProcessPool.new(0)
        else:
            # The program cannot be started again, but a function of an
            # importable module can be found by a worker program that only
            # serves map().
            pool = Mpaio.ProcessPool.new_with_argv(0, [sys.executable, "-c", _MAP_SERVER])
        _default_pools["pool"] = pool
    return pool


_MAP_SERVER = ("import sys, gi; gi.require_version('Mpaio', '1.0'); "
               "from gi.repository import Mpaio; sys.exit(0 if Mpaio.serve_if_worker() else 1)")


def map(function, array, *, out=None, pool=None, partitions=None):
    """Runs function over chunks of array's rows on worker processes.

    function(rows) or, with out, function(rows, out_rows) gets numpy views
    of a chunk's rows of array (read-only) and of out (writable); it must be
    defined at the top level of a module (worker processes find it by name:
    in the main script, above the Mpaio.serve_if_worker() call). Its return
    values, pickled, come back as a list in chunk order.

    array and out are Mpaio.SharedArray or numpy arrays (copied once into
    shared memory; a numpy out gets the rows written back when the run is
    over). pool is an executor (by default a process pool of one process
    per core, shared by every map() that names none); partitions the number
    of chunks (by default four per worker). Raises GLib.Error when the run
    fails.
    """
    name = _function_name(function)
    if name.startswith("__main__:") and _why_not_rerunnable() is not None:
        raise _not_rerunnable_error(_why_not_rerunnable())

    if not isinstance(array, Mpaio.SharedArray):
        array = SharedArray.from_numpy(array)
    numpy_out = None
    if out is not None and not isinstance(out, Mpaio.SharedArray):
        numpy_out = out
        out = SharedArray.from_numpy(out, writable=True)
    if out is not None:
        if not out.get_flags() & Mpaio.SharedArrayFlags.WRITABLE:
            raise ValueError("Mpaio.map(): out must be created with "
                             "Mpaio.SharedArrayFlags.WRITABLE, or be a numpy array")
        if out.get_n_rows() != array.get_n_rows():
            raise ValueError("Mpaio.map(): out has %d rows, array %d"
                             % (out.get_n_rows(), array.get_n_rows()))

    if pool is None:
        pool = _default_pool()
    if partitions is None:
        get_n_workers = getattr(pool, "get_n_workers", None)
        partitions = 4 * (get_n_workers() if get_n_workers else Mpaio.get_n_cores())
    partitions = max(1, min(partitions, max(1, array.get_n_rows())))

    worker = _MapWorker(data_iterator=Mpaio.DataIterator.new_partitioned(array, partitions),
                        function=name, output=out)
    orchestrator = Mpaio.Orchestrator.new(pool, [worker])
    orchestrator.run()
    if numpy_out is not None:
        numpy_out[...] = out.as_numpy()
    return [worker.results[index] for index in sorted(worker.results)]


__all__.append("map")
