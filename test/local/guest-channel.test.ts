import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GuestCommandError, guestCommand } from '../../activities/providers/local/guest-channel';
import { isInfraError } from '../../src/domain/errors';
import { repoRoot } from '../../src/domain/paths';

const AGENT = join(repoRoot, 'kernel', 'guest', 'agent');

let dir: string;
let server: Server | undefined;
const children: ChildProcess[] = [];
const sockets: Socket[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-chan-'));
});
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  children.length = 0;
  for (const s of sockets) s.destroy();
  sockets.length = 0;
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function listen(onConnection: (sock: Socket) => void): Promise<string> {
  const path = join(dir, 'ctl.sock');
  server = createServer((sock) => {
    sockets.push(sock);
    onConnection(sock);
  });
  return new Promise((r) => server!.listen(path, () => r(path)));
}

/** The real guest agent, run by busybox sh on the host, behind a unix socket like qemu's. */
function agentSocket(env: Record<string, string> = {}): Promise<string> {
  return listen((sock) => {
    const agent = spawn('busybox', ['sh', AGENT], {
      env: {
        PATH: process.env.PATH,
        RCDEBUG_CONSOLE: join(dir, 'console.log'),
        RCDEBUG_KMEMLEAK: join(dir, 'no-kmemleak'),
        RCDEBUG_MODULE_ROOT: join(dir, 'modules'),
        TMPDIR: dir,
        ...env,
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(agent);
    sock.pipe(agent.stdin!);
    agent.stdout!.pipe(sock);
    sock.on('close', () => agent.kill('SIGKILL'));
    sock.on('error', () => agent.kill('SIGKILL'));
  });
}

/** Sends several commands on one connection (one agent) and collects a reply line per command. */
function session(path: string, commands: string[], timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const replies: string[] = [];
    let buf = '';
    const c = createConnection(path, () => c.write(commands.map((l) => `${l}\n`).join('')));
    const timer = setTimeout(() => {
      c.destroy();
      reject(new Error(`no reply to every command within ${timeoutMs} ms: ${JSON.stringify(replies)}`));
    }, timeoutMs);
    c.setEncoding('utf8');
    c.on('data', (d: string) => {
      buf += d;
      const lines = buf.split(/\r?\n/);
      buf = lines.pop() ?? '';
      replies.push(...lines.filter((l) => l.trim()));
      if (replies.length >= commands.length) {
        clearTimeout(timer);
        c.destroy();
        resolve(replies);
      }
    });
    c.on('error', reject);
  });
}

const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('guest agent protocol (the real agent script)', () => {
  it('answers ping with the uptime and announces itself on the console', async () => {
    const sock = await agentSocket();
    const uptime = await guestCommand(sock, 'ping', { timeoutMs: 10_000 });
    expect(Number(uptime)).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'console.log'), 'utf8')).toMatch(/^rcdebug-guest: ready \d/m);
  });

  it.each([
    { name: 'unknown command', command: 'reboot-now', reply: /unknown command: reboot-now/ },
    { name: 'module not in the image', command: 'load nosuch bug=uaf', reply: /module nosuch not found in the image/ },
    { name: 'load without a module', command: 'load', reply: /usage: load/ },
    { name: 'trigger file missing', command: 'workload start network=0 trigger=/nonexistent/kbug interval=1', reply: /trigger file \/nonexistent\/kbug does not exist/ },
    { name: 'unknown workload setting', command: 'workload start speed=9', reply: /unknown workload setting speed=9/ },
    { name: 'kmemleak missing', command: 'scan 1', reply: /kmemleak is not available/ },
  ])('$name → err reply', async ({ command, reply }) => {
    const sock = await agentSocket();
    const err = await errorOf(guestCommand(sock, command, { timeoutMs: 10_000 }));
    expect(err).toBeInstanceOf(GuestCommandError);
    expect((err as GuestCommandError).reply).toMatch(reply);
  });

  it('starts a workload that writes the module trigger, reports it, and stops it', async () => {
    const sock = await agentSocket();
    const trigger = join(dir, 'kbug');
    writeFileSync(trigger, '');
    expect(await guestCommand(sock, `workload start network=0 trigger=${trigger} interval=1`, { timeoutMs: 10_000 })).toBe(`started trigger:${trigger}/1s`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(readFileSync(trigger, 'utf8')).toBe('1\n');
    expect(await guestCommand(sock, 'workload status', { timeoutMs: 10_000 })).toBe('running=1');
    expect(await guestCommand(sock, 'workload stop', { timeoutMs: 10_000 })).toBe('stopped');
    expect(await guestCommand(sock, 'workload status', { timeoutMs: 10_000 })).toBe('running=0');
  });

  it('runs a test command: its status in the reply, its output on the console between markers', async () => {
    const sock = await agentSocket();
    expect(await guestCommand(sock, 'run 20 echo "two  words"; echo *; exit 3', { timeoutMs: 30_000 })).toBe('exit 3');
    const console = readFileSync(join(dir, 'console.log'), 'utf8');
    // No globbing or word splitting by the agent: the command reaches sh -c as it was sent.
    expect(console).toMatch(/rcdebug-guest: test command begin: echo "two {2}words"; echo \*; exit 3\nrcdebug-test: two {2}words\nrcdebug-test: \S/);
    expect(console).toMatch(/rcdebug-guest: test command end: exit=3 after \d+s/);
  });

  it('kills a test command past its seconds and says it timed out', async () => {
    const sock = await agentSocket();
    const started = Date.now();
    expect(await guestCommand(sock, 'run 1 sleep 30', { timeoutMs: 20_000 })).toMatch(/^timeout \d+$/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await guestCommand(sock, 'run x true', { timeoutMs: 5_000 }).catch((e: GuestCommandError) => e.reply)).toMatch(/usage: run <seconds> <command>/);
  });

  it('a scan stops the workload, takes the cached kernel stacks of every CPU, and does not wait for the workload', async () => {
    // A stand-in for taskset that logs the CPU, then runs the command.
    const taskset = join(dir, 'taskset');
    writeFileSync(taskset, `#!/bin/sh\necho "$1 $2 $3 $4" >> ${join(dir, 'taskset.log')}\nshift 2\nexec "$@"\n`, { mode: 0o755 });
    const kmemleak = join(dir, 'kmemleak');
    writeFileSync(kmemleak, '');
    const trigger = join(dir, 'kbug');
    writeFileSync(trigger, '');
    const sock = await agentSocket({ RCDEBUG_TASKSET: taskset, RCDEBUG_KMEMLEAK: kmemleak });
    // One connection, one agent: the workload is its child when the scan runs.
    const started = Date.now();
    const replies = await session(sock, [`w workload start network=0 trigger=${trigger} interval=1`, 's scan 1', 'st workload status'], 30_000);
    expect(replies).toEqual([`w ok started trigger:${trigger}/1s`, 's ok leaks=0', 'st ok running=1']);
    // Stopped for the scan, running again after it.
    const pid = readFileSync(join(dir, 'rcdebug-workload.pids'), 'utf8').trim();
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).not.toMatch(/^State:\s+T/m);
    // About 1 s holding the stacks and the 1 s pause: a wait on the workload would never end.
    expect(Date.now() - started).toBeLessThan(20_000);
    const holders = readFileSync(join(dir, 'taskset.log'), 'utf8').trim().split('\n').sort();
    const cpus = Number(execFileSync('busybox', ['nproc'], { encoding: 'utf8' }));
    expect(cpus).toBeGreaterThan(0);
    expect(holders).toEqual(Array.from({ length: cpus }, (_, c) => `-c ${c} sh -c`));
  });

  it('one connection serves one command; the next connection gets its own answer', async () => {
    const sock = await agentSocket();
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await guestCommand(sock, 'ping', { timeoutMs: 10_000 }));
    expect(replies).toHaveLength(3);
  });
});

describe('guest channel faults', () => {
  it('skips lines for other ids and a half line left by an earlier client', async () => {
    const sock = await listen((s) => {
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        const m = /(\S+) ping/.exec(d);
        if (m) s.write(`garbage\r\ndeadbeef ok 1.0\r\n${m[1]} ok 42.5\r\n`);
      });
    });
    expect(await guestCommand(sock, 'ping', { timeoutMs: 5_000 })).toBe('42.5');
  });

  it('an agent that never answers is an InfraError after the timeout', async () => {
    const sock = await listen(() => undefined);
    const started = Date.now();
    const err = await errorOf(guestCommand(sock, 'ping', { timeoutMs: 300 }));
    expect(isInfraError(err)).toBe(true);
    expect((err as Error).message).toMatch(/did not answer "ping" within 0.3 s/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a channel closed before the answer is an InfraError', async () => {
    const sock = await listen((s) => s.end());
    const err = await errorOf(guestCommand(sock, 'ping', { timeoutMs: 5_000 }));
    expect(isInfraError(err)).toBe(true);
    expect((err as Error).message).toMatch(/closed the channel/);
  });

  it('no socket is an InfraError naming it', async () => {
    const err = await errorOf(guestCommand(join(dir, 'none.sock'), 'ping', { timeoutMs: 5_000 }));
    expect(isInfraError(err)).toBe(true);
    expect((err as Error).message).toContain('none.sock');
  });

  it('a cancelled step stops waiting at once', async () => {
    const sock = await listen(() => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await errorOf(guestCommand(sock, 'scan 5', { timeoutMs: 60_000, io: { signal: ac.signal, progress: () => undefined } }));
    expect(isInfraError(err)).toBe(true);
    expect((err as Error).message).toMatch(/cancelled/);
  });
});
