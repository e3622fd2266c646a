// mpaio-map.js: a map, y = sqrt(x), computed by worker processes into an
// output array, with the worker written in JavaScript
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The gjs twin of examples/mpaio-map.c: x holds 0, 1, ..., N - 1 as
// float64; y is a second shared array, created writable. The worker gets x
// as its data iterator's array and y as a property of type
// Mpaio.SharedArray, a parameter like any other: each worker process maps
// both once (x read-only, y writable) and writes its chunks' rows of y
// through typed arrays over the mapped memory (asTypedArray(), from the
// helper module imports.mpaio), without a copy.
//
//   meson devenv -C build -w . gjs examples/js/mpaio-map.js
//
// Worker processes are this script started again: everything above the
// Mpaio.serve_if_worker() call runs in them too, so keep it to imports and
// class definitions.

imports.gi.versions.Mpaio = '1.0';
const {GLib, GObject, Mpaio} = imports.gi;
// Before the worker classes: it reports their exceptions as the run's error.
imports.mpaio;
const System = imports.system;

const SqrtWorker = GObject.registerClass({
    GTypeName: 'DemoJsSqrtWorker',
    Properties: {
        'output': GObject.ParamSpec.object('output', '', '',
            GObject.ParamFlags.READWRITE, Mpaio.SharedArray),
    },
}, class SqrtWorker extends Mpaio.Worker {
    vfunc_process(chunk) {
        const x = this.get_array().asTypedArray();
        const y = this.output.asTypedArray();
        for (let i = chunk.start; i < chunk.end; i++)
            y[i] = Math.sqrt(x[i]);
        return GLib.Variant.new_uint64(chunk.end - chunk.start);
    }
});

if (Mpaio.serve_if_worker())
    System.exit(0);

function parseArgs(argv) {
    const options = {size: 5000000, chunks: 16, workers: 0, runs: 2};
    for (let i = 0; i < argv.length; i += 2) {
        const name = argv[i].replace(/^--/, '');
        if (!(name in options) || i + 1 >= argv.length)
            throw new Error(`usage: mpaio-map.js [--size N] [--chunks C] [--workers W] [--runs R]`);
        options[name] = parseInt(argv[i + 1]);
    }
    return options;
}

async function main() {
    const options = parseArgs(ARGV);
    const x = Mpaio.SharedArray.new(Mpaio.DType.FLOAT64, [options.size]);
    const y = Mpaio.SharedArray.new_full(Mpaio.DType.FLOAT64, 8, [options.size],
        Mpaio.SharedArrayFlags.WRITABLE);
    const input = x.asTypedArray();
    for (let i = 0; i < options.size; i++)
        input[i] = i;

    const worker = new SqrtWorker({
        data_iterator: Mpaio.DataIterator.new_partitioned(x, options.chunks),
        output: y,
    });
    const orchestrator = Mpaio.Orchestrator.new(Mpaio.ProcessPool.new(options.workers), [worker]);

    for (let run = 0; run < options.runs; run++) {
        const report = await orchestrator.run_async(null);
        print(`run ${run + 1}: ${(report.get_wall_time() * 1e3).toFixed(3)} ms`);
    }

    const values = y.asTypedArray();
    let sum = 0;
    for (let i = 0; i < options.size; i++)
        sum += values[i];
    print(`rows: ${options.size}`);
    print(`chunks: ${orchestrator.get_n_chunks()}`);
    print(`sum: ${sum}`);
    const step = Math.max(1, Math.floor(options.size / 7));
    for (let i = 0; i < options.size; i += step)
        print(`y[${i}]: ${values[i]}`);
    print(`y[${options.size - 1}]: ${values[options.size - 1]}`);
}

const loop = new GLib.MainLoop(null, false);
let status = 0;
main().catch(error => {
    printerr(`mpaio-map.js: error: ${error.message}`);
    status = 1;
}).finally(() => loop.quit());
loop.run();
System.exit(status);
