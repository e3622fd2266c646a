// test-mpaio-esm.js: the gjs helper module from an ES module: a worker, its
// typed-array view, and a run awaited at the top level
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run with `gjs -m`; prints TAP. Worker processes are this module started
// again: everything above the Mpaio.serve_if_worker() call runs in them too.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Mpaio from 'gi://Mpaio?version=1.0';
import System from 'system';

// The legacy importer is there in ES modules too.
const MpaioJs = imports.mpaio;

const SquareWorker = GObject.registerClass({
    GTypeName: 'TestJsEsmSquareWorker',
}, class SquareWorker extends Mpaio.Worker {
    _init(params) {
        super._init(params);
        this.total = 0;
    }

    vfunc_process(chunk) {
        const rows = this.get_array().asTypedArray();
        let sum = 0;
        for (let i = chunk.start; i < chunk.end; i++)
            sum += rows[i] * rows[i];
        return GLib.Variant.new_double(sum);
    }

    vfunc_process_callback(chunk, result) {
        if (chunk.index === 3 && this.failAt3)
            throw new Error('no chunk 3 here');
        this.total += result.get_double();
    }
});

if (Mpaio.serve_if_worker())
    System.exit(0);

print('TAP version 13');
print('1..2');

const array = Mpaio.SharedArray.new(Mpaio.DType.FLOAT64, [100]);
array.asTypedArray().forEach((_, i, rows) => (rows[i] = i));
const pool = Mpaio.ProcessPool.new(2);

const worker = new SquareWorker({data_iterator: Mpaio.DataIterator.new(array, 10)});
const report = await Mpaio.Orchestrator.new(pool, [worker]).run_async(null);
const expected = 99 * 100 * 199 / 6;
print(`${worker.total === expected && report.get_n_records() === 10 ? 'ok' : 'not ok'} 1 awaited ` +
    `at the top level: ${worker.total}`);

const failing = new SquareWorker({data_iterator: Mpaio.DataIterator.new(array, 10)});
failing.failAt3 = true;
let message = '';
try {
    MpaioJs.run(Mpaio.Orchestrator.new(pool, [failing]));
} catch (error) {
    message = error.message;
}
print(`${message.includes('Error: no chunk 3 here') ? 'ok' : 'not ok'} 2 a callback's ` +
    `exception fails the run: ${message.split('\n')[0]}`);
