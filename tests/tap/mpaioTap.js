// mpaioTap: the TAP runner of the gjs binding tests (imports.mpaioTap).
//
// Each test is a function of an object, awaited in turn on a GLib main
// loop (the library's async calls complete there); one that throws fails,
// and its error and stack become the TAP diagnostics.

const {GLib} = imports.gi;
const System = imports.system;

/**
 * Runs the tests and exits the process with 1 when any failed.
 *
 * @param {Object<string, function(): (Promise|undefined)>} tests the tests, by name
 * @param {function(): Promise<number|undefined>} [before] run first; a number
 *   it returns ends the program with that status instead of running the tests
 */
function runAndExit(tests, before = async () => undefined) {
    async function main() {
        const status = await before();
        if (status !== undefined)
            return status;

        const names = Object.keys(tests);
        let failed = 0;
        print('TAP version 13');
        print(`1..${names.length}`);
        for (const [i, name] of names.entries()) {
            try {
                await tests[name]();
                print(`ok ${i + 1} ${name}`);
            } catch (error) {
                failed++;
                print(`not ok ${i + 1} ${name}`);
                for (const line of `${error}\n${error.stack ?? ''}`.split('\n'))
                    print(`# ${line}`);
            }
        }
        return failed ? 1 : 0;
    }

    const loop = new GLib.MainLoop(null, false);
    let status = 1;
    main().then(result => {
        status = result;
    }).catch(error => {
        printerr(`${error}\n${error.stack}`);
    }).finally(() => loop.quit());
    loop.run();
    System.exit(status);
}
