// bench-chunks.js: per-chunk cost of a JavaScript worker whose `process`
// does nothing
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
//   gjs bench-chunks.js [N_CHUNKS] [N_WORKERS]   (defaults 20000, 2)
//
// As bench-chunks.c: one-row chunks on a process pool, a cold run then warm
// runs; prints chunks per second, microseconds per chunk, and the mean time
// a chunk spent in `process` (between the worker process's timestamps).

imports.gi.versions.Mpaio = '1.0';
const {GLib, GObject, Gio, Mpaio} = imports.gi;
const System = imports.system;

const EmptyWorker = GObject.registerClass({
    GTypeName: 'BenchJsEmptyWorker',
}, class EmptyWorker extends Mpaio.Worker {
    _init(params) {
        super._init(params);
        this.nResults = 0;
    }

    vfunc_process(chunk) {
        return GLib.Variant.new_boolean(true);
    }

    vfunc_process_callback(chunk, result) {
        this.nResults++;
    }
});

if (Mpaio.serve_if_worker())
    System.exit(0);

Gio._promisify(Mpaio.Orchestrator.prototype, 'run_async', 'run_finish');

async function main() {
    const nChunks = Number(ARGV[0] ?? 20000);
    const nWorkers = Number(ARGV[1] ?? 2);
    const array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [nChunks]);
    const iterator = Mpaio.DataIterator.new(array, 1);
    const pool = Mpaio.ProcessPool.new(nWorkers);

    for (let round = 0; round < 4; round++) {
        const worker = new EmptyWorker({data_iterator: iterator});
        const orchestrator = Mpaio.Orchestrator.new(pool, [worker]);
        // eslint-disable-next-line no-await-in-loop
        const report = await orchestrator.run_async(null);
        if (worker.nResults !== nChunks)
            throw new Error(`${worker.nResults} results for ${nChunks} chunks`);
        const seconds = report.get_wall_time();
        let inProcess = 0;
        for (let i = 0; i < report.get_n_records(); i++) {
            const record = report.get_record(i);
            inProcess += record.finished_us - record.started_us;
        }
        print(`JS ${round === 0 ? 'cold' : 'warm'}: ${nChunks} chunks on ${nWorkers} workers ` +
            `in ${seconds.toFixed(3)} s: ${(nChunks / seconds).toFixed(0)} chunks/s, ` +
            `${(seconds * 1e6 / nChunks).toFixed(1)} us/chunk; ` +
            `${(inProcess / nChunks).toFixed(2)} us in process per chunk`);
    }
}

const loop = new GLib.MainLoop(null, false);
let status = 0;
main().catch(error => {
    printerr(`${error}\n${error.stack}`);
    status = 1;
}).finally(() => loop.quit());
loop.run();
System.exit(status);
