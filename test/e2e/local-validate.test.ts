/**
 * `rcdebug validate` through the CLI, as a user runs it, on the real local cloud: the kasan
 * kernel (cached once built), one qemu node, kbug's KUnit suite printed at load, the planted
 * leak found by the kmemleak scan, the JUnit written. Bad input ends before any kernel work.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { qemuProcessesWith } from '../../activities/providers/local/vm-state';
import { repoRoot } from '../../src/domain/paths';
import { rcdebugAt } from '../support/cli-process';
import { address, uniqueQueue, withWorkers } from '../support/engine';
import { localE2e } from '../support/local-e2e';

const e2e = localE2e();
const scratch = mkdtempSync(join(tmpdir(), 'rcdebug-validate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `rcdebug validate` with workers of the test's local cloud polling its own queue. */
async function validate(name: string, ...args: string[]) {
  const taskQueue = uniqueQueue(name);
  return withWorkers({ taskQueue, clouds: ['local'], providers: { local: e2e.provider() } }, () => rcdebugAt(address(), 'validate', '--task-queue', taskQueue, '--clouds', 'local', '--flavors', 'kasan', ...args));
}

const suite = (xml: string, name: string) => new RegExp(`<testsuite name="${name}"[\\s\\S]*?</testsuite>`).exec(xml)?.[0] ?? '';

describe('rcdebug validate on local kasan', () => {
  // One node serves every check of a run that boots: each run costs a kasan guest under TCG
  // (minutes on the CI's two cores). A passing test command is checked in guest-channel's `run`
  // and in run-tests.test.ts.
  it('kbug at HEAD: the KUnit suite passes with the planted leak attached, a missing suite and a hanging command fail, the node is torn down', async () => {
    // The leak's title names kbug_run_one: the findings engine skips frames named *alloc* as
    // allocator frames (syzkaller's rule), so kbug_leak_alloc is in the report, not the title.
    const junit = join(scratch, 'junit.xml');
    // HEAD as the CLI resolves it, read before the run (a commit meanwhile would move it).
    const head = execFileSync('git', ['-C', repoRoot, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const id = `validate-e2e-${Date.now()}`;
    const r = await validate('e2e-validate', '--repo', 'kernel/examples/kbug', '--ref', 'HEAD', '--suite', 'kbug', '--suite', 'kbug_missing', '--test-command', 'sleep 3600', '--test-timeout', '90s', '--junit', junit, '--id', id);
    console.log(r.stdout, r.stderr);
    // A new finding and failed tests make the run fail: exit 1.
    expect(r.code).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    const kbug = suite(xml, 'kbug');
    expect(kbug).toMatch(/tests="4" failures="0" errors="0" skipped="0"/);
    for (const t of ['kbug_test_parse_names', 'kbug_test_parse_none', 'kbug_test_parse_unknown', 'kbug_test_planted_leak']) expect(kbug).toContain(`name="${t}" time="0"/>`);
    expect(suite(xml, 'kbug_missing')).toContain('suite kbug_missing is not in the module');
    expect(suite(xml, 'test command')).toMatch(/<failure message="timed out: killed after 90 s \(the test timeout\)"/);
    const findings = suite(xml, 'kernel findings');
    expect(findings).toMatch(/<failure message="new kernel finding: memory leak in kbug_run_one"/);
    expect(findings).toMatch(/kbug_leak_alloc\+0x[0-9a-f]+\/0x[0-9a-f]+ \[kbug\]\n.*kbug_run_one\+.*\n.*kbug_test_planted_leak\+/);
    expect(findings).toContain('qemu-system-x86_64');
    expect(kbug).toContain(`<property name="commit" value="${head}"/>`);
    expect(kbug).toMatch(/<property name="kernel digest" value="[0-9a-f]{12,}"\/>/);
    expect(r.stdout).toContain(`at ${head} (HEAD): failed`);
    // The result stays with the workflow: rcdebug status reads it from the memo.
    const status = await rcdebugAt(address(), 'status', id);
    expect(status.stdout).toContain(`${id} (validateMain) COMPLETED`);
    expect(status.stdout).toMatch(/local\/kasan: failed — 4 passed, 2 failed, 0 not run, 0 skipped/);
    expect(status.stdout).toContain('new finding: memory leak in kbug_run_one');
    expect(qemuProcessesWith(`${e2e.home()}/`)).toEqual([]);
  }, 3_600_000);

  it('a module that does not build: a UserError with the compiler error, no node booted', async () => {
    const repo = join(scratch, 'broken');
    cpSync(join(repoRoot, 'kernel/examples/kbug'), repo, { recursive: true });
    writeFileSync(join(repo, 'kbug.c'), readFileSync(join(repo, 'kbug.c'), 'utf8').replace('#include <linux/module.h>', '#include <linux/module.h>\nstatic int broken(void) { return undeclared_thing; }'));
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    execFileSync('git', ['-C', repo, 'add', '-A']);
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'broken']);
    const r = await validate('e2e-validate-broken', '--repo', repo, '--ref', 'main');
    expect(r.code, r.stderr).toBe(2);
    // The compiler's first error on the message's first line.
    expect(r.stderr).toMatch(/module kbug does not build against kernel \S+: \S*kbug\.c:\d+:\d+: error: [‘']undeclared_thing[’'] undeclared/);
    expect(qemuProcessesWith(`${e2e.home()}/`)).toEqual([]);
  }, 3_600_000);

  it.each([
    { name: 'a repository that does not exist', args: ['--repo', '/nonexistent/module', '--ref', 'main'], message: /--repo \/nonexistent\/module: there is no directory/ },
    { name: 'a ref that does not exist', args: ['--repo', 'kernel/examples/kbug', '--ref', 'no-such-branch'], message: /--ref no-such-branch: no such branch, tag or commit/ },
    { name: 'a bad test timeout', args: ['--repo', 'kernel/examples/kbug', '--test-timeout', 'soon'], message: /--test-timeout soon is not a duration/ },
  ])('$name: refused before any kernel work', async ({ name, args, message }) => {
    const started = Date.now();
    const r = await validate(`e2e-validate-bad-${name.length}`, ...args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    // Seconds, not a kernel build or a boot.
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});
