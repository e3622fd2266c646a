// test-mpaio-js.js: the gjs helper module (imports.mpaio): typed-array views
// of shared arrays, exceptions that reach the run's error, promise-returning
// and blocking runs
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Prints TAP. Worker processes are this script started again: everything
// above the Mpaio.serve_if_worker() call runs in them too.

imports.gi.versions.Mpaio = '1.0';
const {Gio, GLib, GObject, Mpaio} = imports.gi;
const MpaioJs = imports.mpaio;
const System = imports.system;

const TEST_ERROR = GLib.quark_from_string('mpaio-test-js-error');

// Every dtype, the typed array expected, and a value for item i.
const DTYPES = [
    [Mpaio.DType.INT8, Int8Array, i => -i],
    [Mpaio.DType.UINT8, Uint8Array, i => 200 + i],
    [Mpaio.DType.INT16, Int16Array, i => -300 * i],
    [Mpaio.DType.UINT16, Uint16Array, i => 60000 + i],
    [Mpaio.DType.INT32, Int32Array, i => -70000 * i],
    [Mpaio.DType.UINT32, Uint32Array, i => 4000000000 + i],
    [Mpaio.DType.INT64, BigInt64Array, i => -(2n ** 40n) * BigInt(i)],
    [Mpaio.DType.UINT64, BigUint64Array, i => 2n ** 63n + BigInt(i)],
    [Mpaio.DType.FLOAT32, Float32Array, i => i + 0.5],
    [Mpaio.DType.FLOAT64, Float64Array, i => i / 3],
    [Mpaio.DType.STRING, Uint8Array, i => 65 + i],
];

// Returns, from a worker process, the name of its view's type, the view's
// length, and its chunk's items as strings.
const ViewWorker = GObject.registerClass({
    GTypeName: 'TestJsHelperViewWorker',
}, class ViewWorker extends Mpaio.Worker {
    _init(params) {
        super._init(params);
        this.seen = new Map();
    }

    vfunc_process(chunk) {
        const array = this.get_array();
        const view = array.asTypedArray();
        const perRow = view.length / array.get_n_rows();
        const items = Array.from(view.subarray(chunk.start * perRow, chunk.end * perRow),
            String);
        return GLib.Variant.new_tuple([
            GLib.Variant.new_string(view.constructor.name),
            GLib.Variant.new_uint64(view.length),
            GLib.Variant.new_strv(items),
        ]);
    }

    vfunc_process_callback(chunk, result) {
        this.seen.set(chunk.index, [
            result.get_child_value(0).get_string()[0],
            result.get_child_value(1).get_uint64(),
            result.get_child_value(2).get_strv(),
        ]);
    }
});

function checkRow(row) {
    throw new RangeError(`row ${row} is out of range`);
}

// Throws on chunk `fail-at`: a RangeError, or with `glib` a GLib.Error of
// the test's domain.
const ThrowingWorker = GObject.registerClass({
    GTypeName: 'TestJsHelperThrowingWorker',
    Properties: {
        'fail-at': GObject.ParamSpec.int('fail-at', '', '', GObject.ParamFlags.READWRITE,
            -1, 1000, -1),
        'glib': GObject.ParamSpec.boolean('glib', '', '', GObject.ParamFlags.READWRITE, false),
    },
}, class ThrowingWorker extends Mpaio.Worker {
    vfunc_process(chunk) {
        if (chunk.index === this.fail_at) {
            if (this.glib)
                throw new GLib.Error(TEST_ERROR, 7, `GLib failure in chunk ${chunk.index}`);
            checkRow(chunk.start);
        }
        return GLib.Variant.new_uint64(chunk.index);
    }
});

// Its vfunc_process_callback throws on chunk `fail-at`.
const CallbackWorker = GObject.registerClass({
    GTypeName: 'TestJsHelperCallbackWorker',
    Properties: {
        'fail-at': GObject.ParamSpec.int('fail-at', '', '', GObject.ParamFlags.READWRITE,
            -1, 1000, -1),
    },
}, class CallbackWorker extends Mpaio.Worker {
    _init(params) {
        super._init(params);
        this.delivered = [];
    }

    vfunc_process(chunk) {
        return GLib.Variant.new_uint64(chunk.index);
    }

    vfunc_process_callback(chunk, result) {
        this.delivered.push(chunk.index);
        if (chunk.index === this.fail_at)
            null.missing();
    }
});

const SumWorker = GObject.registerClass({
    GTypeName: 'TestJsHelperSumWorker',
}, class SumWorker extends Mpaio.Worker {
    _init(params) {
        super._init(params);
        this.total = 0n;
    }

    vfunc_process(chunk) {
        const view = this.get_array().asTypedArray();
        let sum = 0n;
        for (let i = chunk.start; i < chunk.end; i++)
            sum += view[i];
        return GLib.Variant.new_int64(sum);
    }

    vfunc_process_callback(chunk, result) {
        this.total += BigInt(result.get_int64());
    }
});

if (Mpaio.serve_if_worker())
    System.exit(0);

// ---------------------------------------------------------------------------
// Helpers (main process only)

function assert(condition, message = 'assertion failed') {
    if (!condition)
        throw new Error(message);
}

let thePool = null;

function pool() {
    thePool ??= Mpaio.ProcessPool.new(2);
    return thePool;
}

function intArray(nRows) {
    const array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [nRows]);
    const view = array.asTypedArray();
    for (let i = 0; i < nRows; i++)
        view[i] = BigInt(i + 1);
    return array;
}

async function expectError(orchestrator, domain, code) {
    try {
        await orchestrator.run_async(null);
    } catch (error) {
        assert(error instanceof GLib.Error && error.matches(domain, code),
            `unexpected error ${error}`);
        return error;
    }
    throw new Error('the run succeeded');
}

// ---------------------------------------------------------------------------
// Tests

const tests = {
    async typedArrayEveryDtype() {
        for (const [dtype, TypedArray, value] of DTYPES) {
            const itemSize = dtype === Mpaio.DType.STRING ? 3 : Mpaio.dtype_get_item_size(dtype);
            const array = Mpaio.SharedArray.new_full(dtype, itemSize, [4, 2],
                Mpaio.SharedArrayFlags.NONE);
            const view = array.asTypedArray();
            assert(view instanceof TypedArray, `${dtype}: ${view.constructor.name}`);
            assert(view.length === 8 * (dtype === Mpaio.DType.STRING ? 3 : 1), `${view.length}`);
            for (let i = 0; i < view.length; i++)
                view[i] = value(i);
            // The same view each time, and the memory of the array: the
            // bytes seen through another path are those written.
            assert(MpaioJs.asTypedArray(array) === view);
            const bytes = array.get_bytes().toArray();
            assert(new TypedArray(bytes.buffer, bytes.byteOffset, view.length)[1] === view[1]);

            const worker = new ViewWorker({
                data_iterator: Mpaio.DataIterator.new_partitioned(array, 2),
            });
            await Mpaio.Orchestrator.new(pool(), [worker]).run_async(null);
            const perRow = view.length / 4;
            for (const [index, [name, length, items]] of worker.seen) {
                assert(name === TypedArray.name, `${dtype}: ${name}`);
                assert(Number(length) === view.length, `${dtype}: ${length}`);
                const expected = Array.from(
                    view.subarray(2 * index * perRow, 2 * (index + 1) * perRow), String);
                assert(items.join() === expected.join(), `${dtype}: ${items} != ${expected}`);
            }
            assert(worker.seen.size === 2);
        }
    },

    async processExceptionText() {
        const worker = new ThrowingWorker({
            data_iterator: Mpaio.DataIterator.new(intArray(100), 10),
            fail_at: 3,
        });
        const error = await expectError(Mpaio.Orchestrator.new(pool(), [worker]),
            Mpaio.error_quark(), Mpaio.Error.WORKER_FAILED);
        const message = error.message;
        assert(message.includes('Chunk 3'), message);
        assert(message.includes('RangeError: row 30 is out of range'), message);
        assert(message.includes('checkRow@') && message.includes('test-mpaio-js.js'), message);
    },

    async glibErrorKept() {
        const worker = new ThrowingWorker({
            data_iterator: Mpaio.DataIterator.new(intArray(100), 10),
            fail_at: 4,
            glib: true,
        });
        const error = await expectError(Mpaio.Orchestrator.new(pool(), [worker]), TEST_ERROR, 7);
        assert(error.message.includes('GLib failure in chunk 4'), error.message);
    },

    async callbackExceptionFailsRun() {
        const worker = new CallbackWorker({
            data_iterator: Mpaio.DataIterator.new(intArray(100), 10),
            fail_at: 1,
        });
        const orchestrator = Mpaio.Orchestrator.new(pool(), [worker]);
        orchestrator.set_ordered(true);
        const error = await expectError(orchestrator, Mpaio.error_quark(),
            Mpaio.Error.WORKER_FAILED);
        assert(error.message.includes('TypeError'), error.message);
        assert(error.message.includes('process_callback'), error.message);
        assert(error.message.includes('Chunk 1'), error.message);
        // No callback after the one that threw.
        assert(worker.delivered.join() === '0,1', worker.delivered.join());
        assert(!orchestrator.get_running());
    },

    async promiseRun() {
        const worker = new SumWorker({data_iterator: Mpaio.DataIterator.new(intArray(1000), 99)});
        const report = await Mpaio.Orchestrator.new(pool(), [worker]).run_async(null);
        assert(report instanceof Mpaio.RunReport);
        assert(report.get_n_records() === 11, `${report.get_n_records()}`);
        assert(worker.total === 500500n, `${worker.total}`);
    },

    blockingRun() {
        const worker = new SumWorker({data_iterator: Mpaio.DataIterator.new(intArray(1000), 250)});
        const orchestrator = Mpaio.Orchestrator.new(pool(), [worker]);
        const report = orchestrator.run();
        assert(report.get_n_records() === 4);
        assert(worker.total === 500500n, `${worker.total}`);

        const failing = new ThrowingWorker({
            data_iterator: Mpaio.DataIterator.new(intArray(40), 10),
            fail_at: 0,
        });
        let error = null;
        try {
            MpaioJs.run(Mpaio.Orchestrator.new(pool(), [failing]));
        } catch (e) {
            error = e;
        }
        assert(error?.matches(Mpaio.error_quark(), Mpaio.Error.WORKER_FAILED), `${error}`);
    },

    async consoleScript() {
        // A program typed at the console (here piped into it): the pool says
        // why worker processes cannot start it again, and what to do.
        const script = `
            imports.gi.versions.Mpaio = '1.0';
            const {GLib, Mpaio} = imports.gi;
            imports.mpaio;
            try {
                Mpaio.ProcessPool.new(2);
            } catch (error) {
                print('pool error: ' + error.matches(Mpaio.error_quark(),
                    Mpaio.Error.SPAWN_FAILED) + ' ' + error.message.replace(/\\n/g, ' '));
            }
        `;
        const launcher = new Gio.SubprocessLauncher({
            flags: Gio.SubprocessFlags.STDIN_PIPE | Gio.SubprocessFlags.STDOUT_PIPE |
                Gio.SubprocessFlags.STDERR_PIPE,
        });
        const child = launcher.spawnv(['gjs']);
        const [stdout, stderr] = await child.communicate_utf8_async(script, null);
        assert(child.get_successful(), stderr);
        const line = stdout.split('\n').find(l => l.startsWith('pool error: '));
        assert(line?.includes('pool error: true This gjs program is typed at the gjs console'),
            stdout);
        assert(line.includes('Save the program to a file'), line);
    },
};

Gio._promisify(Gio.Subprocess.prototype, 'communicate_utf8_async', 'communicate_utf8_finish');

imports.mpaioTap.runAndExit(tests);
