/** `rcdebug schedule create --workflow validateMain` against the real dev server, and its refusals. */
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/domain/paths';
import { rcdebugAt } from '../support/cli-process';
import { address, uniqueQueue } from '../support/engine';
import { join } from 'node:path';

const rcdebug = (...args: string[]) => rcdebugAt(address(), ...args);

describe('schedule create --workflow validateMain', () => {
  it('creates a nightly validation of main with the validate options as its input', async () => {
    const taskQueue = uniqueQueue('validate-sched');
    const id = `nightly-main-${taskQueue}`;
    const create = await rcdebug('schedule', 'create', id, '--cron', '0 2 * * *', '--workflow', 'validateMain', '--repo', 'kernel/examples/kbug', '--ref', 'main', '--suite', 'kbug', '--test-command', 'true', '--test-timeout', '5m', '--flavors', 'kasan,kcsan', '--task-queue', taskQueue, '--paused');
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toContain(`created schedule ${id}: cron "0 2 * * *", validate ${join(repoRoot, 'kernel/examples/kbug')} at main`);
    try {
      const d = JSON.parse((await rcdebug('schedule', 'describe', id, '--json')).stdout) as { paused: boolean; action: { workflowType: string; taskQueue: string; input: Record<string, unknown> } };
      expect(d.paused).toBe(true);
      expect(d.action.workflowType).toBe('validateMain');
      expect(d.action.taskQueue).toBe(taskQueue);
      expect(d.action.input).toEqual({
        repo: join(repoRoot, 'kernel/examples/kbug'),
        ref: 'main',
        clouds: ['local'],
        flavors: ['kasan', 'kcsan'],
        kunitSuites: ['kbug'],
        testCommand: 'true',
        testTimeoutSeconds: 300,
        taskQueue,
      });
    } finally {
      expect((await rcdebug('schedule', 'delete', id)).code).toBe(0);
    }
  });

  it.each([
    { name: 'an unknown workflow', args: ['--workflow', 'nightlyThing', '--rc', 'v1.0'], err: /--workflow nightlyThing: a schedule starts rcCycle or validateMain/ },
    { name: 'no repository', args: ['--workflow', 'validateMain'], err: /--repo is required/ },
    { name: 'a repository path that does not exist', args: ['--workflow', 'validateMain', '--repo', '/nonexistent/mod'], err: /--repo \/nonexistent\/mod: there is no directory/ },
    { name: 'an unknown flavor', args: ['--workflow', 'validateMain', '--repo', '.', '--flavors', 'kmsan'], err: /flavors\.0: unknown flavor "kmsan"/ },
    { name: 'a test timeout too short', args: ['--workflow', 'validateMain', '--repo', '.', '--test-timeout', '2s'], err: /testTimeoutSeconds must be at least 10 s/ },
  ])('$name is refused before the server is asked', async ({ args, err }) => {
    // An unreachable server: the refusal must come first.
    const r = await rcdebugAt('127.0.0.1:1', 'schedule', 'create', 'x', '--every', '24h', ...args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(err);
  });
});
