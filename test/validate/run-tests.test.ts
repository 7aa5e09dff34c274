/** A run's test cases from the node's raw output: KTAP, the module load and the test command. */
import { describe, expect, it } from 'vitest';
import { MODULE_LOAD_SUITE, runTests } from '../../activities/steps/validate-report';
import type { StepContext } from '../../src/domain/contract';
import type { NodeTestOutput } from '../../src/domain/validate';

const ctx = { module: { name: 'kbug', source: '/src', version: 'abc' } } as StepContext;
const KTAP = ['[ 9.1]     KTAP version 1', '[ 9.1]     # Subtest: kbug', '[ 9.1]     1..3', '[ 9.2]     ok 1 kbug_a'].join('\n');
const run = (test: Partial<NodeTestOutput>, extra: { testCommand?: string; kunitSuites?: string[] } = {}) =>
  runTests({ ctx, timeoutSeconds: 90, test: { ktap: '', console: 'file:///c', ...test }, ...extra });

describe('runTests', () => {
  it('a panic mid-suite: the cases not reached and the test command did not run, the reason given', () => {
    const tests = run({ ktap: `${KTAP}\n[ 9.3] Kernel panic - not syncing: KASAN: panic_on_warn set ...`, panic: 'Kernel panic - not syncing: KASAN: panic_on_warn set ...' }, { testCommand: 'make check' });
    expect(tests.map((t) => [t.suite, t.name, t.status])).toEqual([
      ['kbug', 'kbug_a', 'passed'],
      ['kbug', 'test 2 of 3', 'not-run'],
      ['kbug', 'test 3 of 3', 'not-run'],
      ['test command', 'make check', 'not-run'],
    ]);
    expect(tests[1]!.message).toBe('not reached: kernel panic: Kernel panic - not syncing: KASAN: panic_on_warn set ...');
  });

  it('a test command killed at the timeout fails as timed out, with its output', () => {
    const tests = run({ ktap: `${KTAP}\n    ok 2 kbug_b\n    ok 3 kbug_c\nok 1 kbug`, command: { exitCode: 137, timedOut: true, output: 'waiting...' } }, { testCommand: 'sleep 3600' });
    expect(tests.at(-1)).toEqual({ suite: 'test command', name: 'sleep 3600', status: 'failed', message: 'timed out: killed after 90 s (the test timeout)\nwaiting...' });
    expect(tests.filter((t) => t.status === 'passed')).toHaveLength(3);
    // The load had returned (the command ran): an absent suite is not in the module, not cut off.
    const absent = run({ ktap: KTAP, command: { exitCode: 137, timedOut: true, output: '' }, timedOut: true }, { testCommand: 'sleep 3600', kunitSuites: ['kbug', 'kbug_missing'] });
    expect(absent.find((t) => t.suite === 'kbug_missing')).toMatchObject({ status: 'failed', message: 'suite kbug_missing is not in the module: it printed no KTAP for it' });
  });

  it('a failing command, a module that does not load', () => {
    const tests = run({ loadError: 'insmod kbug failed: Invalid parameters', command: { exitCode: 2, timedOut: false, output: 'FAIL: x' } }, { testCommand: 'make check' });
    expect(tests).toEqual([
      { suite: MODULE_LOAD_SUITE, name: 'kbug', status: 'failed', message: 'the module did not load: insmod kbug failed: Invalid parameters' },
      { suite: 'test command', name: 'make check', status: 'failed', message: 'exit status 2\nFAIL: x' },
    ]);
  });

  it('no KTAP and no command is a failure, never an empty pass', () => {
    expect(run({})).toEqual([expect.objectContaining({ suite: 'kbug', status: 'failed', message: expect.stringMatching(/^no tests ran: kbug printed no KTAP/) })]);
  });
});
