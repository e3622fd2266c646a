// mpaio-demo.js: sums integers and concatenates strings in one run, with
// workers written in JavaScript
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The gjs twin of examples/mpaio-demo.c: one shared int64 array holding 1..N,
// summed by an AddIntWorker through a typed-array view of the shared memory,
// and one array of 100 strings "foo_0".."foo_99", concatenated in index order
// by a ConcatStrWorker, both processed in a single orchestrator run on a pool
// of worker processes.
//
//   meson devenv -C build -w . gjs examples/js/mpaio-demo.js
//
// Worker processes are this script started again: everything above the
// Mpaio.serve_if_worker() call runs in them too, so keep it to imports and
// class definitions.

imports.gi.versions.Mpaio = '1.0';
const {GLib, GObject, Mpaio} = imports.gi;
// The helper module: typed-array views of shared arrays, promise-returning
// runs, exceptions of the worker classes defined after it reported as the
// run's error.
imports.mpaio;
const System = imports.system;

const N_STRINGS = 100;
const STRING_ITEM_SIZE = 16;

// The array's memory as bytes, without a copy: asTypedArray() views the
// mapping itself, once per array and process.
function arrayBytes(array) {
    const view = array.asTypedArray();
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

// Sums rows [start, end) of an int64 array exactly, modulo 2^64. Each int64
// is read as two 32-bit halves summed as plain numbers, which stay exact
// (below 2^53) over blocks of 2^20 rows; the blocks are then combined as
// BigInts. Twice as fast as summing a BigInt64Array.
function sumInt64(bytes, start, end) {
    const lo = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const hi = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const BLOCK = 1 << 20;
    let total = 0n;

    for (let block = start; block < end; block += BLOCK) {
        const blockEnd = Math.min(end, block + BLOCK);
        let loSum = 0, hiSum = 0;
        for (let i = block; i < blockEnd; i++) {
            loSum += lo[2 * i];
            hiSum += hi[2 * i + 1];
        }
        total += BigInt(loSum) + (BigInt(hiSum) << 32n);
    }
    return BigInt.asIntN(64, total);
}

const AddIntWorker = GObject.registerClass({
    GTypeName: 'DemoJsAddIntWorker',
}, class AddIntWorker extends Mpaio.Worker {
    _init(params) {
        super._init(params);
        // Only the main process's instance accumulates a total.
        this.total = 0n;
    }

    // Runs in a worker process.
    vfunc_process(chunk) {
        const bytes = arrayBytes(this.get_array());
        // gjs takes a BigInt for a gint64 argument.
        return GLib.Variant.new_int64(sumInt64(bytes, chunk.start, chunk.end));
    }

    // Runs in the main process. A gint64 comes back as a JS number, exact up
    // to 2^53, which every chunk's sum of this demo is below.
    vfunc_process_callback(chunk, result) {
        this.total = BigInt.asUintN(64, this.total + BigInt(result.get_int64()));
    }
});

const ConcatStrWorker = GObject.registerClass({
    GTypeName: 'DemoJsConcatStrWorker',
}, class ConcatStrWorker extends Mpaio.Worker {
    _init(params) {
        super._init(params);
        this.parts = [];
    }

    vfunc_process(chunk) {
        const array = this.get_array();
        const bytes = arrayBytes(array);
        const itemSize = array.get_item_size();
        const decoder = new TextDecoder();
        let out = '';

        for (let row = chunk.start; row < chunk.end; row++) {
            const item = bytes.subarray(row * itemSize, (row + 1) * itemSize);
            // Items are NUL-padded, not NUL-terminated when they fill the width.
            const length = item.indexOf(0);
            out += decoder.decode(length < 0 ? item : item.subarray(0, length));
        }
        return GLib.Variant.new_string(out);
    }

    vfunc_process_callback(chunk, result) {
        this.parts.push(result.get_string()[0]);
    }

    get result() {
        return this.parts.join('');
    }
});

// Worker processes serve chunks here, then leave.
if (Mpaio.serve_if_worker())
    System.exit(0);

function makeIntArray(nRows) {
    const array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [nRows]);
    const bytes = arrayBytes(array);
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);

    // The creating process writes the array's memory in place: low and high
    // 32-bit halves of each int64 (host byte order is little-endian here).
    // (`% 2 ** 32` and an exact division keep this loop on the JIT's fast
    // path; `>>> 0` and Math.floor() made it several times slower.)
    for (let i = 0; i < nRows; i++) {
        const value = i + 1;
        const low = value % 0x100000000;
        words[2 * i] = low;
        words[2 * i + 1] = (value - low) / 0x100000000;
    }
    return array;
}

function makeStringArray() {
    const array = Mpaio.SharedArray.new_full(Mpaio.DType.STRING, STRING_ITEM_SIZE,
        [N_STRINGS], Mpaio.SharedArrayFlags.NONE);
    const bytes = arrayBytes(array);
    const encoder = new TextEncoder();

    // New shared memory is zero-filled, so the items are already NUL-padded.
    for (let i = 0; i < N_STRINGS; i++) {
        encoder.encodeInto(`foo_${i}`,
            bytes.subarray(i * STRING_ITEM_SIZE, (i + 1) * STRING_ITEM_SIZE));
    }
    return array;
}

function parseArgs(argv) {
    const options = {workers: 0, partitions: 0, size: 100000000, executor: 'process'};
    const names = {
        '-w': 'workers', '--workers': 'workers',
        '-p': 'partitions', '--partitions': 'partitions',
        '-s': 'size', '--size': 'size',
        '-e': 'executor', '--executor': 'executor',
    };
    const usage = 'Usage: mpaio-demo.js [--workers N] [--partitions P] [--size N] ' +
        '[--executor process|mpi]';

    for (let i = 0; i < argv.length; i++) {
        let [flag, value] = argv[i].split(/=(.*)/s);
        if (flag === '-h' || flag === '--help') {
            print(usage);
            System.exit(0);
        }
        const name = names[flag];
        if (name === undefined)
            throw new Error(`Unknown option ${flag}\n${usage}`);
        if (value === undefined)
            value = argv[++i];
        if (value === undefined)
            throw new Error(`${flag} needs a value`);
        if (name === 'executor') {
            if (value !== 'process' && value !== 'mpi')
                throw new Error(`--executor is process or mpi, not “${value}”\n${usage}`);
            options.executor = value;
            continue;
        }
        options[name] = Number(value);
        if (!Number.isSafeInteger(options[name]))
            throw new Error(`${flag} needs an integer, not “${value}”`);
    }
    if (options.workers < 0 || options.partitions < 0 || options.size < 1)
        throw new Error('--workers and --partitions cannot be negative, and --size must be at least 1');
    return options;
}

async function main(argv) {
    const options = parseArgs(argv);
    let nWorkers = options.workers || Mpaio.get_n_cores();

    // Worker processes only: gjs runs JavaScript on its main thread only, so
    // JS workers cannot run on the threads of an Mpaio.ThreadPool. Started
    // by mpirun, --executor mpi runs them on every host.
    let executor;
    if (options.executor === 'mpi') {
        executor = Mpaio.MpiExecutor.new(options.workers);
        nWorkers = executor.get_n_workers();
    } else {
        executor = Mpaio.ProcessPool.new(nWorkers);
    }
    const nPartitions = options.partitions || nWorkers;
    const intArray = makeIntArray(options.size);
    const stringArray = makeStringArray();

    const addWorker = new AddIntWorker({
        data_iterator: Mpaio.DataIterator.new_partitioned(intArray, nPartitions),
    });
    const concatWorker = new ConcatStrWorker({
        data_iterator: Mpaio.DataIterator.new_partitioned(stringArray, nPartitions),
    });

    const orchestrator = Mpaio.Orchestrator.new(executor, [addWorker, concatWorker]);
    // Results come back in any order; the strings must be joined in index order.
    orchestrator.set_ordered(true);

    const report = await orchestrator.run_async(null);

    print(`sum: ${addWorker.total}`);
    print(`concat: ${concatWorker.result}`);
    print(`time: ${report.get_wall_time().toFixed(3)} s`);
    print(`chunks: ${orchestrator.get_n_chunks()}`);
    if (options.executor === 'mpi') {
        const ranks = new Set();
        for (let i = 0; i < report.get_n_records(); i++)
            ranks.add(report.get_record(i).rank);
        print(`ranks: ${ranks.size}`);
    }
}

const loop = new GLib.MainLoop(null, false);
let status = 0;

main(ARGV).catch(error => {
    printerr(`mpaio-demo.js: error: ${error.message}`);
    status = 1;
}).finally(() => loop.quit());
loop.run();
System.exit(status);
