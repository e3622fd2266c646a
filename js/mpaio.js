// mpaio.js: helpers for Mpaio in gjs: typed-array views of shared arrays,
// promise-returning runs, and exceptions that reach the run's error
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Exports asTypedArray(array), run(orchestrator) and Mpaio. Installed in
// gjs's search path (DATADIR/gjs-1.0), so both scripts and ES modules load
// it as `imports.mpaio`, before defining their workers:
//
//   imports.gi.versions.Mpaio = '1.0';
//   const {GLib, GObject, Mpaio} = imports.gi;
//   const MpaioJs = imports.mpaio;
//
// Loading it changes the Mpaio classes themselves (as GNOME's own overrides
// do): the Worker subclasses registered afterwards have their exceptions
// reported, Mpaio.SharedArray gains asTypedArray(), Mpaio.Orchestrator's
// run_async() returns a promise when given no callback and run() blocks,
// and Mpaio.ProcessPool.new() says what to do in a program typed at the
// console, which worker processes cannot start again.

/* exported asTypedArray, Mpaio, run */

imports.gi.versions.Mpaio = '1.0';
const {GLib, GObject, Gio} = imports.gi;
var Mpaio = imports.gi.Mpaio;

// The typed array of each dtype; fixed-width strings are bytes.
const TYPED_ARRAYS = {
    [Mpaio.DType.INT8]: Int8Array,
    [Mpaio.DType.UINT8]: Uint8Array,
    [Mpaio.DType.INT16]: Int16Array,
    [Mpaio.DType.UINT16]: Uint16Array,
    [Mpaio.DType.INT32]: Int32Array,
    [Mpaio.DType.UINT32]: Uint32Array,
    [Mpaio.DType.INT64]: BigInt64Array,
    [Mpaio.DType.UINT64]: BigUint64Array,
    [Mpaio.DType.FLOAT32]: Float32Array,
    [Mpaio.DType.FLOAT64]: Float64Array,
    [Mpaio.DType.STRING]: Uint8Array,
};

// One view per array and process: the layout never changes, and the bytes
// that back the view keep the array's mapping alive.
const views = new WeakMap();

/**
 * The array's memory as a typed array of its dtype, without a copy: all
 * its items, rows one after the other (row r of an array of shape
 * [n, a, b] starts at item r * a * b); a string array's bytes. int64 and
 * uint64 items are BigInts.
 *
 * An input array is mapped read-only in worker processes: writing to its
 * view there kills the process (the run then fails with
 * Mpaio.Error.WORKER_CRASHED).
 *
 * @param {Mpaio.SharedArray} array - the array
 * @returns {TypedArray} the view
 */
function asTypedArray(array) {
    let view = views.get(array);
    if (view === undefined) {
        const TypedArray = TYPED_ARRAYS[array.get_dtype()];
        // GLib.Bytes.toArray() wraps the bytes' memory, which is the mapping.
        const bytes = array.get_size() > 0 ? array.get_bytes().toArray() : new Uint8Array(0);
        view = new TypedArray(bytes.buffer, bytes.byteOffset,
            bytes.byteLength / TypedArray.BYTES_PER_ELEMENT);
        views.set(array, view);
    }
    return view;
}

Mpaio.SharedArray.prototype.asTypedArray = function () {
    return asTypedArray(this);
};

// ---------------------------------------------------------------------------
// Exceptions

const STACK_LINES = 6;

const describe = function (exception) {
    if (!(exception instanceof Error))
        return String(exception);
    let text = `${exception.name}: ${exception.message}`;
    // The frames up to this module's wrapper: below it is the library.
    const stack = [];
    for (const line of (exception.stack ?? '').split('\n')) {
        if (line.startsWith('wrapped@'))
            break;
        if (line.length > 0)
            stack.push(line);
    }
    if (stack.length > 0)
        text += `\nStack:\n${stack.slice(0, STACK_LINES).join('\n')}`;
    return text;
};

const errorFromException = function (exception) {
    if (exception instanceof GLib.Error)
        return exception;
    return new GLib.Error(Mpaio.error_quark(), Mpaio.Error.WORKER_FAILED, describe(exception));
};

const wrapProcess = function (process) {
    const wrapped = function (chunk) {
        try {
            return process.call(this, chunk);
        } catch (exception) {
            // A GLib.Error keeps its domain and code; any other exception
            // is named, with where it was thrown.
            throw errorFromException(exception);
        }
    };
    wrapped.mpaioWrapped = true;
    return wrapped;
};

const wrapProcessCallback = function (processCallback) {
    const wrapped = function (chunk, result) {
        try {
            processCallback.call(this, chunk, result);
        } catch (exception) {
            // gjs would log it and go on; the run fails with it.
            this.fail_run(errorFromException(exception));
        }
    };
    wrapped.mpaioWrapped = true;
    return wrapped;
};

// GObject.registerClass() calls the nearest _classInit of the class's
// ancestors; this one wraps the worker's virtual methods before gjs hooks
// them up.
const parentClassInit = GObject.Object._classInit;

Mpaio.Worker._classInit = function (klass) {
    const proto = klass.prototype;
    for (const [name, wrap] of [['vfunc_process', wrapProcess],
        ['vfunc_process_callback', wrapProcessCallback]]) {
        const descriptor = Object.getOwnPropertyDescriptor(proto, name);
        if (typeof descriptor?.value === 'function' && !descriptor.value.mpaioWrapped)
            Object.defineProperty(proto, name, {...descriptor, value: wrap(descriptor.value)});
    }
    return parentClassInit.call(this, klass);
};

// ---------------------------------------------------------------------------
// Programs that cannot be started again

const whyNotRerunnable = function () {
    // A script has a path; `gjs -c CODE` has its code on its command line.
    if (imports.system.programPath !== null)
        return null;
    const [, contents] = GLib.file_get_contents('/proc/self/cmdline');
    const args = new TextDecoder().decode(contents).split('\0');
    if (args.some(arg => arg === '-c' || arg.startsWith('--command')))
        return null;
    return 'is typed at the gjs console (or read by it from standard input)';
};

const originalProcessPoolNew = Mpaio.ProcessPool.new;

/**
 * Mpaio.ProcessPool.new(nWorkers), which throws a GLib.Error
 * (Mpaio.Error.SPAWN_FAILED) saying what to do when the program cannot be
 * started again by its worker processes: typed at the console.
 *
 * @param {number} nWorkers - worker processes, 0 for one per core
 * @returns {Mpaio.ProcessPool} the pool
 */
Mpaio.ProcessPool.new = function (nWorkers) {
    const reason = whyNotRerunnable();
    if (reason !== null) {
        throw new GLib.Error(Mpaio.error_quark(), Mpaio.Error.SPAWN_FAILED,
            `This gjs program ${reason}, so worker processes cannot start it again to find ` +
            'its worker classes. Save the program to a file and run gjs FILE, or give the ' +
            'worker processes a program of their own with Mpaio.ProcessPool.new_with_argv()');
    }
    return originalProcessPoolNew.call(this, nWorkers);
};

// ---------------------------------------------------------------------------
// Runs

// run_async(cancellable) with no callback returns a promise of the report.
Gio._promisify(Mpaio.Orchestrator.prototype, 'run_async', 'run_finish');

/**
 * Runs every chunk and returns the report, blocking the caller meanwhile
 * (the thread-default main context is iterated: the workers' callbacks run
 * from here). Throws a GLib.Error when the run fails.
 *
 * @param {Mpaio.Orchestrator} orchestrator - the orchestrator
 * @param {Gio.Cancellable} [cancellable] - a cancellable
 * @returns {Mpaio.RunReport} the report
 */
function run(orchestrator, cancellable = null) {
    const context = GLib.MainContext.ref_thread_default();
    let result = null;
    orchestrator.run_async(cancellable, (source, res) => {
        result = res;
    });
    while (result === null)
        context.iteration(true);
    return orchestrator.run_finish(result);
}

Mpaio.Orchestrator.prototype.run = function (cancellable = null) {
    return run(this, cancellable);
};
