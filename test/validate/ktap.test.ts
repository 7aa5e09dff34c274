/**
 * KTAP → test cases and the JUnit of a validate run. The texts are 6.1's own: the kernel's
 * KUnit parser test data (tools/testing/kunit/test_data of the real linux-source-6.1 tree) and
 * a module-load run printed as lib/kunit/test.c prints it (suite at four spaces, its result at
 * none, time stamps in front).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KERNEL_SOURCE, prepareKernelSource } from '../../activities/providers/local/kernel-source';
import { cacheDir } from '../../src/domain/paths';
import { ktapResults, parseKtap } from '../../src/domain/ktap';
import { mergeJunit, renderValidateJunit } from '../../src/domain/validate-junit';
import type { Finding } from '../../src/domain/findings/index';

let testData: string;
beforeAll(async () => {
  // The real tree (node scripts/bootstrap.mjs test installs linux-source-6.1).
  testData = join((await prepareKernelSource(DEFAULT_KERNEL_SOURCE, cacheDir())).root, 'tools/testing/kunit/test_data');
}, 600_000);
const kernelLog = (name: string) => readFileSync(join(testData, name), 'utf8');

/** kbug's suite loading on 6.1: one failed case with its expectation, one skipped. */
const MODULE_LOAD = [
  '[   41.201337] rcdebug-guest: insmod kbug bug=none',
  '[   41.388012]     KTAP version 1',
  '[   41.388377]     # Subtest: kbug',
  '[   41.388672]     1..4',
  '[   41.392101]     ok 1 kbug_test_parse_names',
  '[   41.395220]     # kbug_test_parse_none: EXPECTATION FAILED at /src/kbug.c:365',
  '[   41.395220]     Expected mask == 0UL, but',
  '[   41.395220]         mask == 4',
  '[   41.395801]     not ok 2 kbug_test_parse_none',
  '[   41.398530]     ok 3 kbug_test_parse_unknown # SKIP no parser',
  '[   41.401170]     ok 4 kbug_test_planted_leak',
  '[   41.401700] # kbug: pass:2 fail:1 skip:1 total:4',
  '[   41.401702] # Totals: pass:2 fail:1 skip:1 total:4',
  '[   41.402011] ok 1 kbug',
  '[   41.410000] kbug: loaded (bug=none)',
].join('\n');

describe('parseKtap', () => {
  it('reads a 6.1 module load: passed, failed with its diagnostics, skipped', () => {
    const [suite, ...rest] = parseKtap(MODULE_LOAD);
    expect(rest).toEqual([]);
    expect(suite).toMatchObject({ name: 'kbug', planned: 4, ended: true });
    expect(suite!.cases.map((c) => [c.name, c.status])).toEqual([
      ['kbug_test_parse_names', 'passed'],
      ['kbug_test_parse_none', 'failed'],
      ['kbug_test_parse_unknown', 'skipped'],
      ['kbug_test_planted_leak', 'passed'],
    ]);
    expect(suite!.cases[1]!.message).toBe('kbug_test_parse_none: EXPECTATION FAILED at /src/kbug.c:365\nExpected mask == 0UL, but\nmask == 4');
    expect(suite!.cases[2]!.message).toBe('no parser');
  });

  it('reads the kernel test data: a failure among several suites', () => {
    const suites = parseKtap(kernelLog('test_is_test_passed-failure.log'));
    expect(suites.map((s) => [s.name, s.ended])).toEqual([
      ['sysctl_test', true],
      ['example', true],
    ]);
    expect(suites[0]!.cases.every((c) => c.status === 'passed')).toBe(true);
    const failed = suites[1]!.cases.find((c) => c.status === 'failed')!;
    expect(failed.name).toBe('example_simple_test');
    expect(failed.message).toContain('EXPECTATION FAILED at lib/kunit/example-test.c:30');
  });

  it('reads skips from the kernel test data', () => {
    const cases = ktapResults(kernelLog('test_skip_tests.log'));
    expect(cases.find((c) => c.name === 'example_skip_test')).toMatchObject({ status: 'skipped', message: 'this test should be skipped' });
  });

  it('folds a parameterised case into one case', () => {
    const log = ['    KTAP version 1', '    # Subtest: s', '    1..1', '        KTAP version 1', '        # Subtest: p', '        ok 1 a', '        not ok 2 b', '    # p: pass:1 fail:1 skip:0 total:2', '    not ok 1 p', 'ok 1 s'].join('\n');
    expect(ktapResults(log)).toEqual([{ suite: 's', name: 'p', status: 'failed', message: 'the test failed (no diagnostics printed)' }]);
  });
});

describe('ktapResults', () => {
  it('marks the cases a panic cut off as not run, with the reason', () => {
    const cases = ktapResults(kernelLog('test_kernel_panic_interrupt.log'), { cutReason: 'kernel panic: VFS: Unable to mount root fs' });
    const cut = cases.filter((c) => c.suite === 'string-stream-test');
    expect(cut.map((c) => c.status)).toEqual(['passed', 'not-run', 'not-run']);
    expect(cut[1]!.message).toBe('not reached: kernel panic: VFS: Unable to mount root fs');
    expect(cases.filter((c) => c.status === 'passed')).toHaveLength(8);
  });

  it('fails a suite asked for that the module does not print', () => {
    const cases = ktapResults(MODULE_LOAD, { suites: ['kbug', 'kbug_extra'] });
    expect(cases.filter((c) => c.suite === 'kbug')).toHaveLength(4);
    expect(cases.at(-1)).toEqual({ suite: 'kbug_extra', name: 'kbug_extra', status: 'failed', message: 'suite kbug_extra is not in the module: it printed no KTAP for it' });
  });

  it('cuts a suite at a timeout when the log ends mid-suite', () => {
    const cut = MODULE_LOAD.split('\n').slice(0, 6).join('\n');
    const cases = ktapResults(cut, { cutReason: 'timed out after 30 s' });
    expect(cases.map((c) => c.status)).toEqual(['passed', 'not-run', 'not-run', 'not-run']);
    expect(cases[3]).toMatchObject({ name: 'test 4 of 4', message: 'not reached: timed out after 30 s' });
  });
});

describe('renderValidateJunit', () => {
  const finding = {
    title: 'memory leak in kbug_leak_alloc',
    signature: 'sig',
    type: 'memory-leak',
    status: 'new',
    count: 1,
    nodes: ['validate'],
    report: 'unreferenced object 0xffff888 (size 64):',
    reproducer: { kernelDigest: 'abc123', commands: ['qemu-system-x86_64 -kernel bzImage'] },
  } as unknown as Finding;
  const props = { commit: 'c0ffee', kernelDigest: 'abc123', cloud: 'local', flavor: 'kasan' };

  it('has a suite per KUnit suite, the findings suite and the run properties', () => {
    const xml = renderValidateJunit(ktapResults(MODULE_LOAD), [finding], props);
    expect(xml).toContain('<testsuite name="kbug" tests="4" failures="1" errors="0" skipped="1"');
    expect(xml).toContain('<testsuite name="kernel findings" tests="1" failures="1"');
    expect(xml).toContain('<failure message="new kernel finding: memory leak in kbug_leak_alloc" type="memory-leak">');
    expect(xml).toContain('$ qemu-system-x86_64 -kernel bzImage');
    expect(xml).toContain('<property name="commit" value="c0ffee"/>');
    expect(xml).toContain('<property name="kernel digest" value="abc123"/>');
    expect(xml).toMatch(/<testsuites name="rcdebug validate" tests="5" failures="2" errors="0" skipped="1"/);
  });

  it('passes the findings suite when nothing new was raised, and merges runs', () => {
    const a = renderValidateJunit([{ suite: 'test command', name: 'make check', status: 'passed' }], [{ ...finding, status: 'known' } as Finding], props);
    expect(a).toContain('<testcase classname="local.kasan.findings" name="no new kernel findings" time="0"/>');
    const b = renderValidateJunit(ktapResults(MODULE_LOAD), [finding], { ...props, flavor: 'kcsan' });
    const merged = mergeJunit([a, b]);
    expect(merged.match(/<testsuite /g)).toHaveLength(4);
    expect(merged).toMatch(/<testsuites name="rcdebug validate" tests="7" failures="2" errors="0" skipped="1"/);
  });
});
