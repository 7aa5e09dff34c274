import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { firstCompilerError, ktapFromLog, nodeTestScript, readNodeTestOutput, shellQuote } from '../../activities/providers/aws/node-test-script';

const base = { source: 's3://b/artifacts/c/node-test/module/', moduleName: 'kbug', timeoutSeconds: 30, buildSeconds: 900, kmemleakWaitSeconds: 5, token: 'tok-1' };

describe("node-test's script", () => {
  it('is valid sh with a hostile test command and parameters, and quotes them as single words', () => {
    const script = nodeTestScript({ ...base, moduleParams: 'bug=none  count=3', testCommand: `echo "it's"; exit 3 $(true)` }).join('\n');
    const check = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(script).toContain(`sh -c ${shellQuote(`echo "it's"; exit 3 $(true)`)}`);
    // Parameters are words split at white space, each passed as it is.
    expect(script).toContain(`insmod "$KO" 'bug=none' 'count=3' >`);
    // What sh makes of the quoted command is the command itself.
    const echoed = spawnSync('sh', ['-c', `printf %s ${shellQuote(`echo "it's"; exit 3 $(true)`)}`], { encoding: 'utf8' });
    expect(echoed.stdout).toBe(`echo "it's"; exit 3 $(true)`);
  });

  it('leaves the command part out when there is no test command', () => {
    const script = nodeTestScript(base).join('\n');
    expect(script).not.toContain('@@rcdebug command');
    expect(script).toContain('@@rcdebug ktap');
  });
});

describe("reading node-test's output", () => {
  it('splits a whole run at its marks', () => {
    const out = readNodeTestOutput(['@@rcdebug uname 6.1.119-rcdebug-kasan', '@@rcdebug command', 'line 1', 'line 2', '@@rcdebug command-exit 2', '@@rcdebug ktap', 'KTAP version 1', '@@rcdebug kmemleak', '@@rcdebug dmesg', '[ 1.0] x', '@@rcdebug end', ''].join('\n'));
    expect(out).toEqual({ uname: '6.1.119-rcdebug-kasan', failure: undefined, load: undefined, command: { exitCode: 2, output: 'line 1\nline 2' }, ktap: 'KTAP version 1', kmemleak: '', dmesg: '[ 1.0] x', complete: true });
  });

  it('tells a run cut short (no end mark, no command exit) and a failed build', () => {
    expect(readNodeTestOutput('@@rcdebug uname 6.1\n@@rcdebug command\nwaiting\n')).toMatchObject({ command: undefined, complete: false });
    expect(readNodeTestOutput('@@rcdebug build-failed\nkbug.c:1:1: error: x\n').failure).toEqual({ part: 'build-failed', text: 'kbug.c:1:1: error: x' });
    expect(readNodeTestOutput('@@rcdebug insmod-failed 1\ninsmod: ERROR: could not insert module: Invalid parameters\n@@rcdebug ktap\n@@rcdebug end\n')).toMatchObject({ failure: undefined, load: { exitCode: 1, text: 'insmod: ERROR: could not insert module: Invalid parameters' }, complete: true });
  });

  it("takes the compiler's first error with its context, else the log's tail", () => {
    expect(firstCompilerError('  CC [M] kbug.o\nkbug.c:3:1: error: expected ;\n    3 | int x\n      | ^\nkbug.c:9:1: error: later')).toBe('kbug.c:3:1: error: expected ;\n    3 | int x\n      | ^');
    expect(firstCompilerError('make: nothing\nKilled')).toBe('make: nothing\nKilled');
  });

  it('finds the KTAP KUnit printed in the kernel log when there are no results files', () => {
    const log = ['[  100.0] rcdebug-validate: start tok', '[  100.1]     KTAP version 1', '[  100.1]     # Subtest: kbug', '[  100.2]     1..1', '[  100.2] kbug: parsing', '[  100.3]     ok 1 kbug_parse_ok', '[  100.3] ok 1 kbug'].join('\n');
    expect(ktapFromLog(log)).toBe(['    KTAP version 1', '    # Subtest: kbug', '    1..1', '    ok 1 kbug_parse_ok', 'ok 1 kbug'].join('\n'));
    expect(ktapFromLog('[ 1.0] no tests here')).toBe('');
  });
});
