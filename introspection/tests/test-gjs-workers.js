// test-gjs-workers.js: Mpaio.Worker subclasses written in JavaScript, run in
// the worker processes of an Mpaio.ProcessPool through the typelib
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Prints TAP. Worker processes are this script started again (gjs and the
// script's path, from /proc/self/cmdline): everything above the
// Mpaio.serve_if_worker() call runs in them too.

imports.gi.versions.Mpaio = '1.0';
const {GLib, GObject, Gio, Mpaio} = imports.gi;
const System = imports.system;

const TEST_ERROR = GLib.quark_from_string('mpaio-test-error');

function getpid() {
    return new Gio.Credentials().get_unix_pid();
}

// The array's memory without a copy (gjs's Bytes.toArray() wraps it).
function int64Words(array) {
    const bytes = array.get_bytes().toArray();
    return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

// Sums small non-negative int64 values (below 2^31) of rows [start, end).
function sumRows(words, start, end) {
    let sum = 0;
    for (let i = start; i < end; i++)
        sum += words[2 * i];
    return sum;
}

const SumWorker = GObject.registerClass({
    GTypeName: 'TestJsSumWorker',
    Properties: {
        // A parameter: copied to the worker's instances in worker processes.
        'offset': GObject.ParamSpec.int64('offset', 'Offset', 'Added to every row',
            GObject.ParamFlags.READWRITE, 0, 1000000, 0),
    },
}, class SumWorker extends Mpaio.Worker {
    _init(params) {
        super._init(params);
        this.total = 0;
        this.pids = new Set();
    }

    vfunc_process(chunk) {
        this._words ??= int64Words(this.get_array());
        const value = sumRows(this._words, chunk.start, chunk.end) +
            this.offset * (chunk.end - chunk.start);
        return new GLib.Variant('(xi)', [value, getpid()]);
    }

    vfunc_process_callback(chunk, result) {
        const [value, pid] = result.deepUnpack();
        this.total += value;
        this.pids.add(pid);
    }
});

const PidWorker = GObject.registerClass({
    GTypeName: 'TestJsPidWorker',
}, class PidWorker extends Mpaio.Worker {
    _init(params) {
        super._init(params);
        this.pids = [];
    }

    vfunc_process(chunk) {
        return GLib.Variant.new_int64(getpid());
    }

    vfunc_process_callback(chunk, result) {
        this.pids.push(result.get_int64());
    }
});

const FailWorker = GObject.registerClass({
    GTypeName: 'TestJsFailWorker',
    Properties: {
        'kind': GObject.ParamSpec.string('kind', 'Kind', 'plain or glib',
            GObject.ParamFlags.READWRITE, 'plain'),
        'fail-at': GObject.ParamSpec.uint64('fail-at', 'Fail at', 'The chunk that fails',
            GObject.ParamFlags.READWRITE, 0, Number.MAX_SAFE_INTEGER, 0),
    },
}, class FailWorker extends Mpaio.Worker {
    _init(params) {
        super._init(params);
        this.done = [];
    }

    vfunc_process(chunk) {
        if (chunk.index === this.fail_at) {
            if (this.kind === 'plain')
                throw new Error(`plain failure in chunk ${chunk.index}`);
            throw new GLib.Error(TEST_ERROR, 7, `GLib failure in chunk ${chunk.index}`);
        }
        return GLib.Variant.new_uint64(chunk.index);
    }

    vfunc_process_callback(chunk, result) {
        this.done.push(result.get_uint64());
    }
});

const SlowWorker = GObject.registerClass({
    GTypeName: 'TestJsSlowWorker',
}, class SlowWorker extends Mpaio.Worker {
    _init(params) {
        super._init(params);
        this.nDone = 0;
        this.onResult = null;
    }

    vfunc_process(chunk) {
        GLib.usleep(50000);
        return GLib.Variant.new_uint64(chunk.index);
    }

    vfunc_process_callback(chunk, result) {
        this.nDone++;
        this.onResult?.(this);
    }
});

// Doubles its rows of a writable (output) array in place, through the
// zero-copy view of the worker process's writable mapping.
const DoubleWorker = GObject.registerClass({
    GTypeName: 'TestJsDoubleWorker',
}, class DoubleWorker extends Mpaio.Worker {
    vfunc_process(chunk) {
        const words = int64Words(this.get_array());
        for (let i = chunk.start; i < chunk.end; i++)
            words[2 * i] *= 2;
        return GLib.Variant.new_boolean(true);
    }
});

const PrintWorker = GObject.registerClass({
    GTypeName: 'TestJsPrintWorker',
}, class PrintWorker extends Mpaio.Worker {
    vfunc_process(chunk) {
        print(`printed by chunk ${chunk.index}`);
        return GLib.Variant.new_boolean(true);
    }
});

if (Mpaio.serve_if_worker()) {
    // serve_if_worker() came back: the worker process leaves normally.
    if (ARGV.includes('--print-child'))
        print(`worker ${getpid()} exits`);
    System.exit(0);
}

// ---------------------------------------------------------------------------
// Helpers (main process only)

Gio._promisify(Mpaio.Orchestrator.prototype, 'run_async', 'run_finish');
Gio._promisify(Gio.Subprocess.prototype, 'communicate_utf8_async', 'communicate_utf8_finish');

const N_WORKERS = 2;

function assert(condition, message = 'assertion failed') {
    if (!condition)
        throw new Error(message);
}

async function run(orchestrator, cancellable = null, timeout = 60) {
    let timer;
    const tooLong = new Promise((resolve, reject) => {
        timer = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, timeout, () => {
            reject(new Error(`the run did not end within ${timeout} s`));
            return GLib.SOURCE_REMOVE;
        });
    });
    try {
        return await Promise.race([orchestrator.run_async(cancellable), tooLong]);
    } finally {
        GLib.source_remove(timer);
    }
}

function intArray(nRows) {
    const array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [nRows]);
    const words = int64Words(array);
    for (let i = 0; i < nRows; i++)
        words[2 * i] = i + 1;
    return array;
}

async function expectError(orchestrator, domain, code, cancellable = null) {
    try {
        await run(orchestrator, cancellable);
    } catch (error) {
        assert(error instanceof GLib.Error && error.matches(domain, code),
            `unexpected error ${error}`);
        return error;
    }
    throw new Error('the run succeeded');
}

let thePool = null;

function pool() {
    thePool ??= Mpaio.ProcessPool.new(N_WORKERS);
    return thePool;
}

// ---------------------------------------------------------------------------
// Tests

const tests = {
    typesVisible() {
        assert(Mpaio.DType.INT64 === 6);
        assert(GObject.type_name(Mpaio.DType.$gtype) === 'MpaioDType');
        assert(Mpaio.SharedArrayFlags.WRITABLE === 1);
        assert(GObject.type_name(Mpaio.SharedArrayFlags.$gtype) === 'MpaioSharedArrayFlags');
        assert(Mpaio.Error.WORKER_FAILED === 2);
        assert(GLib.quark_to_string(Mpaio.error_quark()) === 'mpaio-error-quark');
        assert(Mpaio.dtype_get_item_size(Mpaio.DType.FLOAT32) === 4);
        assert(GObject.type_test_flags(Mpaio.Worker.$gtype, GObject.TypeFlags.ABSTRACT));
        assert(GObject.type_is_a(Mpaio.ProcessPool.$gtype, Mpaio.Executor.$gtype));
        assert(!Mpaio.is_worker_process());
        let failed = false;
        try {
            Mpaio.DataIterator.new(intArray(10), 0);
        } catch (error) {
            failed = error.matches(Mpaio.error_quark(), Mpaio.Error.INVALID_ARGUMENT);
        }
        assert(failed, 'a chunk size of 0 was accepted');
    },

    async results() {
        const n = 1000003;
        const worker = new SumWorker({data_iterator: Mpaio.DataIterator.new(intArray(n), 100000)});
        const orchestrator = Mpaio.Orchestrator.new(pool(), [worker]);
        const report = await run(orchestrator);
        assert(worker.total === n * (n + 1) / 2, `sum ${worker.total}`);
        assert(orchestrator.get_n_chunks() === 11 && orchestrator.get_n_chunks_done() === 11);
        assert(report.get_n_records() === 11 && report.get_wall_time() > 0);
    },

    async parameters() {
        const n = 1000;
        const worker = new SumWorker({
            data_iterator: Mpaio.DataIterator.new(intArray(n), 100),
            offset: 5,
        });
        await run(Mpaio.Orchestrator.new(pool(), [worker]));
        assert(worker.total === n * (n + 1) / 2 + 5 * n, `sum ${worker.total}`);
    },

    async otherProcesses() {
        const worker = new PidWorker({data_iterator: Mpaio.DataIterator.new(intArray(64), 1)});
        const report = await run(Mpaio.Orchestrator.new(pool(), [worker]));
        const pids = new Set(worker.pids);
        const poolPids = new Set(pool().get_pids());
        assert(worker.pids.length === 64);
        assert(!pids.has(getpid()), 'process ran in the main process');
        assert([...pids].every(pid => poolPids.has(pid)), `${[...pids]} not in ${[...poolPids]}`);
        assert(poolPids.size === N_WORKERS);
        // Chunks are spread over every worker process.
        assert(pids.size === N_WORKERS, `pids ${[...pids]}`);
        for (let i = 0; i < report.get_n_records(); i++)
            assert(pids.has(report.get_record(i).pid));
    },

    async severalRuns() {
        const before = pool().get_pids().join();
        for (const size of [10, 1000, 100000]) {
            const worker = new SumWorker({
                data_iterator: Mpaio.DataIterator.new_partitioned(intArray(size), 7),
            });
            await run(Mpaio.Orchestrator.new(pool(), [worker]));
            assert(worker.total === size * (size + 1) / 2, `sum ${worker.total}`);
        }
        // The same processes served every run.
        assert(pool().get_pids().join() === before);
    },

    async plainException() {
        const worker = new FailWorker({
            data_iterator: Mpaio.DataIterator.new(intArray(100), 10),
            kind: 'plain',
            fail_at: 3,
        });
        // gjs turns the exception into a GError of its own domain carrying its
        // message; the error keeps that domain, so gjs makes it a JS Error
        // again when the run fails.
        let error = null;
        try {
            await run(Mpaio.Orchestrator.new(pool(), [worker]));
        } catch (e) {
            error = e;
        }
        assert(error instanceof Error && !(error instanceof GLib.Error), `unexpected ${error}`);
        assert(error.message.includes('plain failure in chunk 3'), error.message);
        assert(error.message.includes('Chunk 3'), error.message);
        assert(!worker.done.includes(3));
    },

    async glibError() {
        const worker = new FailWorker({
            data_iterator: Mpaio.DataIterator.new(intArray(100), 10),
            kind: 'glib',
            fail_at: 4,
        });
        // The domain is registered in both processes: the error keeps it, and its code.
        const error = await expectError(Mpaio.Orchestrator.new(pool(), [worker]), TEST_ERROR, 7);
        assert(error.message.includes('GLib failure in chunk 4'), error.message);
    },

    async poolUsableAfterErrors() {
        await tests.results();
    },

    async cancel() {
        const worker = new SlowWorker({data_iterator: Mpaio.DataIterator.new(intArray(400), 1)});
        const orchestrator = Mpaio.Orchestrator.new(pool(), [worker]);
        const cancellable = new Gio.Cancellable();
        worker.onResult = () => cancellable.cancel();
        const start = GLib.get_monotonic_time();
        await expectError(orchestrator, Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED,
            cancellable);
        const elapsed = (GLib.get_monotonic_time() - start) / 1e6;
        assert(worker.nDone < 400 && elapsed < 5, `${worker.nDone} chunks, ${elapsed} s`);
        assert(!orchestrator.get_running());
    },

    async cancelledBeforeStart() {
        const worker = new SlowWorker({data_iterator: Mpaio.DataIterator.new(intArray(10), 1)});
        const cancellable = new Gio.Cancellable();
        cancellable.cancel();
        await expectError(Mpaio.Orchestrator.new(pool(), [worker]),
            Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED, cancellable);
        assert(worker.nDone === 0);
    },

    async poolUsableAfterCancel() {
        await tests.results();
    },

    async outputArray() {
        const array = Mpaio.SharedArray.new_full(Mpaio.DType.INT64, 8, [1000],
            Mpaio.SharedArrayFlags.WRITABLE);
        const words = int64Words(array);
        for (let i = 0; i < 1000; i++)
            words[2 * i] = i;
        await run(Mpaio.Orchestrator.new(pool(),
            [new DoubleWorker({data_iterator: Mpaio.DataIterator.new(array, 64)})]));
        for (let i = 0; i < 1000; i++)
            assert(words[2 * i] === 2 * i, `row ${i} is ${words[2 * i]}`);
    },

    async workerOutputAndExit() {
        // A program whose workers print, its stdout a pipe: everything they
        // print arrives, and they leave through System.exit() once the
        // program is gone.
        const argv = [GLib.file_read_link('/proc/self/exe'), System.programPath, '--print-child'];
        const child = Gio.Subprocess.new(argv,
            Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_PIPE);
        const [stdout, stderr] = await child.communicate_utf8_async(null, null);
        assert(child.get_successful(), `child failed: ${stderr}`);
        const lines = stdout.split('\n');
        for (let i = 0; i < 8; i++)
            assert(lines.includes(`printed by chunk ${i}`), stdout);
        assert(lines.includes('main done'), stdout);
        assert(lines.filter(line => /^worker \d+ exits$/.test(line)).length === 2, stdout);
    },
};

async function printChild() {
    const childPool = Mpaio.ProcessPool.new(2);
    const worker = new PrintWorker({data_iterator: Mpaio.DataIterator.new(intArray(8), 1)});
    await run(Mpaio.Orchestrator.new(childPool, [worker]));
    print('main done');
}

imports.mpaioTap.runAndExit(tests, async () => {
    if (ARGV.includes('--print-child')) {
        await printChild();
        return 0;
    }
    return undefined;
});
