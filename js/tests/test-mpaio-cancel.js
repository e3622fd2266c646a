// test-mpaio-cancel.js: cooperative cancel from gjs with the helper module
// (imports.mpaio): a long vfunc_process asks this.is_cancelled()
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Prints TAP. Worker processes are this script started again: everything
// above the Mpaio.serve_if_worker() call runs in them too, and they inherit
// the environment, which names the directory they leave marker files in.
// The helper module wraps the workers' exceptions and gives run_async a
// promise form and a blocking run().
// Nothing waits by sleeping: the main process watches that directory.

imports.gi.versions.Mpaio = '1.0';
const {Gio, GLib, GObject, Mpaio} = imports.gi;
const MpaioJs = imports.mpaio;
const System = imports.system;

const MARKER_DIR_VARIABLE = 'MPAIO_TEST_CANCEL_DIR';

function getpid() {
    return new Gio.Credentials().get_unix_pid();
}

// Leaves the file `${what}-${pid}`: written aside and renamed, so it appears
// whole.
function mark(what) {
    const dir = GLib.getenv(MARKER_DIR_VARIABLE);
    GLib.file_set_contents(GLib.build_filenamev([dir, `${what}-${getpid()}`]), `${getpid()}`);
}

// Loops in vfunc_process until its chunk is cancelled, then returns how many
// times it asked.
const LoopWorker = GObject.registerClass({
    GTypeName: 'TestJsCancelLoopWorker',
}, class LoopWorker extends Mpaio.Worker {
    vfunc_process(_chunk) {
        mark('started');
        let nAsked = 1;
        while (!this.is_cancelled())
            nAsked++;
        mark('noticed');
        return GLib.Variant.new_uint64(nAsked);
    }

    vfunc_process_callback(_chunk, _result) {
        throw new Error("a cancelled chunk's result was delivered");
    }
});

// Returns its chunk's index at once.
const IndexWorker = GObject.registerClass({
    GTypeName: 'TestJsCancelIndexWorker',
}, class IndexWorker extends Mpaio.Worker {
    _init(params) {
        super._init(params);
        this.delivered = [];
    }

    vfunc_process(chunk) {
        if (this.is_cancelled())
            throw new Error('a chunk of a run not cancelled is cancelled');
        return GLib.Variant.new_uint64(chunk.index);
    }

    vfunc_process_callback(_chunk, result) {
        this.delivered.push(result.get_uint64());
    }
});

if (Mpaio.serve_if_worker())
    System.exit(0);

function assert(condition, message = 'assertion failed') {
    if (!condition)
        throw new Error(message);
}

function newOrchestrator(pool, WorkerType, nChunks) {
    const array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [nChunks]);
    const worker = new WorkerType({data_iterator: Mpaio.DataIterator.new(array, 1)});
    return [Mpaio.Orchestrator.new(pool, [worker]), worker];
}

// The pids of the marker files `${what}-PID` in @dir, sorted.
function markedPids(dir, what) {
    const pids = [];
    const children = dir.enumerate_children('standard::name', Gio.FileQueryInfoFlags.NONE, null);
    for (let info; (info = children.next_file(null)) !== null;) {
        const match = new RegExp(`^${what}-(\\d+)$`).exec(info.get_name());
        if (match)
            pids.push(Number(match[1]));
    }
    children.close(null);
    return pids.sort((a, b) => a - b);
}

// Resolves once @dir holds @n marker files `${what}-PID`, with their pids.
function waitForMarks(monitor, dir, what, n) {
    return new Promise(resolve => {
        const check = () => {
            const pids = markedPids(dir, what);
            if (pids.length < n)
                return false;
            resolve(pids);
            return true;
        };
        if (check())
            return;
        const id = monitor.connect('changed', () => {
            if (check())
                monitor.disconnect(id);
        });
    });
}

function sortedPids(pool) {
    return Array.from(pool.get_pids()).sort((a, b) => a - b);
}

const tests = {
    async cooperativeCancel() {
        const nProcesses = 2;
        const path = GLib.dir_make_tmp('mpaio-cancel-XXXXXX');
        const dir = Gio.File.new_for_path(path);
        const monitor = dir.monitor_directory(Gio.FileMonitorFlags.NONE, null);
        GLib.setenv(MARKER_DIR_VARIABLE, path, true);
        try {
            const pool = Mpaio.ProcessPool.new(nProcesses);
            // One chunk per process: a chunk not timed yet counts as long, so
            // the second goes to the idle process.
            const [orchestrator] = newOrchestrator(pool, LoopWorker, nProcesses);
            const cancellable = new Gio.Cancellable();
            // The helper's promise form of run_async: the main loop goes on.
            const running = orchestrator.run_async(cancellable);

            // Every process is in its loop: cancel the run.
            const started = await waitForMarks(monitor, dir, 'started', nProcesses);
            cancellable.cancel();
            let error = null;
            try {
                await running;
            } catch (e) {
                error = e;
            }
            assert(error !== null, 'the cancelled run succeeded');
            assert(error.matches?.(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), `${error}`);

            // Each process left its loop by itself: no abort-grace is set, so
            // no process was killed, and the pool still has the same ones.
            const pids = sortedPids(pool);
            assert(`${started}` === `${pids}`, `started in ${started}, pool has ${pids}`);
            const noticed = await waitForMarks(monitor, dir, 'noticed', nProcesses);
            assert(`${noticed}` === `${pids}`, `noticed in ${noticed}, pool has ${pids}`);

            // The same processes run the next run to the end.
            const [again, worker] = newOrchestrator(pool, IndexWorker, 8);
            const report = MpaioJs.run(again);
            assert(report.count_outcome(Mpaio.ChunkOutcome.DONE) === 8);
            const delivered = worker.delivered.map(Number).sort((a, b) => a - b);
            assert(`${delivered}` === '0,1,2,3,4,5,6,7', `delivered ${delivered}`);
            assert(`${sortedPids(pool)}` === `${pids}`, 'a process was replaced');
        } finally {
            monitor.cancel();
            for (const what of ['started', 'noticed']) {
                for (const pid of markedPids(dir, what))
                    dir.get_child(`${what}-${pid}`).delete(null);
            }
            dir.delete(null);
        }
    },

    outsideAChunk() {
        const [, worker] = newOrchestrator(Mpaio.ThreadPool.new(1), IndexWorker, 1);
        assert(worker.is_cancelled() === false);
    },
};

imports.mpaioTap.runAndExit(tests);
