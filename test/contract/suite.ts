/**
 * The contract every cloud plugin keeps, whatever its cloud: teardown is idempotent, a
 * retried version-publish keeps `created-at`, the two error families reach Temporal as a
 * non-retryable and a retryable failure, a cancelled step stops its child process, and a
 * kernel panic ends the soak as a finding. Each cloud runs it from its own `<cloud>.test.ts`
 * with a fixture (./fixture.ts); steps run through `createActivities`, in Temporal's activity
 * context, as a worker runs them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type StepActivities, type StepFailureDetails } from '../../activities/index';
import type { ImageBakeOutput, KernelBuildOutput, StepContext, StepIO } from '../../src/domain/contract';
import { INFRA_ERROR, USER_ERROR } from '../../src/domain/errors';
import type { ContractFixture, StepCall } from './fixture';

// Emulators, stand-in tools and child processes on a shared 2-core machine.
const SLOW_MS = 240_000;

/** A StepIO outside Temporal, for calls made straight on the provider. */
function plainIO(attempt = 1): StepIO {
  return { progress() {}, signal: new AbortController().signal, attempt };
}

/** An activity context whose expected failures are not logged as warnings (the cases check them). */
function mockEnv(): MockActivityEnvironment {
  return new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
}

/** Runs one step activity as a worker would, in a mock activity context. */
function runActivity(env: MockActivityEnvironment, activities: StepActivities, call: StepCall): Promise<unknown> {
  const fn = activities[call.step] as (input: unknown) => Promise<unknown>;
  return env.run(fn, call.input);
}

/** Pids of this process's children whose executable is `name`. */
function childrenNamed(name: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // `pid (comm) state ppid ...`: comm may hold blanks, so read after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const argv0 = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] ?? '';
      if (ppid === process.pid && basename(argv0) === name) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').length > 0;
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A kernel build and image bake as version-publish receives them (digests of the given seed). */
function built(seed: string): { kernel: KernelBuildOutput; image: ImageBakeOutput } {
  const hex = (c: string) => c.repeat(64).slice(0, 64);
  return {
    kernel: {
      digest: hex(`${seed}1`),
      kernelRelease: '6.1.119-rcdebug-kasan',
      configDigest: `sha256-${hex('c')}`,
      cacheHit: false,
      artifacts: { kernel: 'file:///k/bzImage', log: 'file:///k/build.log', reproducer: 'file:///k/reproduce.sh', config: 'file:///k/config' },
    },
    image: { imageId: `image-${seed}`, digest: hex(`${seed}2`), cacheHit: false, artifacts: {} },
  };
}

/** The contract suite, for the cloud of `fixture`. */
export function contractSuite(fixture: ContractFixture): void {
  describe(`cloud contract: ${fixture.cloud}`, () => {
    let n = 0;
    const ctx = (name: string): StepContext => fixture.context(`contract-${fixture.cloud}-${name}-${process.pid}-${++n}`);

    /** The failure a step activity ends with, as Temporal receives it. */
    const failureOf = async (call: StepCall): Promise<ApplicationFailure> => {
      const err = await runActivity(mockEnv(), createActivities(fixture.provider()), call).catch((e: unknown) => e);
      expect(err, String(err)).toBeInstanceOf(ApplicationFailure);
      return err as ApplicationFailure;
    };

    beforeAll(() => fixture.start(), SLOW_MS);
    afterAll(() => fixture.stop(), SLOW_MS);

    it('teardown of a cycle that has nothing succeeds and removes nothing', async () => {
      const c = ctx('nothing');
      expect(await fixture.provider().teardown({ ctx: c }, plainIO())).toEqual({ removed: [] });
    }, SLOW_MS);

    it('teardown twice succeeds: the first removes the cluster, the second finds nothing', async () => {
      const c = ctx('twice');
      const cluster = await fixture.provision(c);
      expect(await fixture.running(c, cluster)).toBe(true);
      const first = await fixture.provider().teardown({ ctx: c, cluster }, plainIO());
      expect(first.removed.length).toBeGreaterThan(0);
      expect(await fixture.running(c, cluster)).toBe(false);
      expect(await fixture.provider().teardown({ ctx: c, cluster }, plainIO(2))).toEqual({ removed: [] });
    }, SLOW_MS);

    it('version-publish retried keeps created-at; history, latest and the rc pointer stay right', async () => {
      const c = ctx('publish');
      const provider = fixture.provider();
      const registry = fixture.registry();
      const first = built('a');
      const out = await provider.versionPublish({ ctx: c, ...first }, plainIO());
      expect(out.latest).toBe(`/rcdebug/${fixture.cloud}/kasan/latest`);
      expect(out.rcPointer).toBe(`/rcdebug/rc/${c.rc}/${fixture.cloud}/kasan`);
      const record = await registry.findByDigest(fixture.cloud, 'kasan', first.image.digest);
      expect(record).toMatchObject({ imageId: first.image.imageId, kernelRelease: first.kernel.kernelRelease, rc: c.rc });
      await new Promise((r) => setTimeout(r, 20));
      expect(await provider.versionPublish({ ctx: c, ...first }, plainIO(2))).toEqual(out);
      const again = await registry.findByDigest(fixture.cloud, 'kasan', first.image.digest);
      expect(again?.createdAt).toBe(record?.createdAt);

      const second = built('b');
      await provider.versionPublish({ ctx: { ...c, rc: `${c.rc}.2` }, ...second }, plainIO());
      const history = await registry.history(fixture.cloud, 'kasan');
      expect(history.map((r) => r.inputDigest)).toEqual([first.image.digest, second.image.digest]);
      expect((await registry.latest(fixture.cloud, 'kasan'))?.inputDigest).toBe(second.image.digest);
      expect((await registry.forRc(c.rc, fixture.cloud, 'kasan'))?.inputDigest).toBe(first.image.digest);
      expect((await registry.forRc(`${c.rc}.2`, fixture.cloud, 'kasan'))?.inputDigest).toBe(second.image.digest);
    }, SLOW_MS);

    it('a UserError is not retried and names its field', async () => {
      const { call, field } = await fixture.userError(ctx('user'));
      const failure = await failureOf(call);
      expect(failure.type).toBe(USER_ERROR);
      expect(failure.nonRetryable).toBe(true);
      expect((failure.details?.[0] as StepFailureDetails).field).toBe(field);
    }, SLOW_MS);

    it('an InfraError is retried', async () => {
      const { call, message } = await fixture.infraError(ctx('infra'));
      const failure = await failureOf(call);
      expect(failure.type).toBe(INFRA_ERROR);
      expect(failure.nonRetryable).toBe(false);
      expect(failure.message).toMatch(message);
    }, SLOW_MS);

    it('a cancelled step stops its child process', async () => {
      const { call, child, restore } = await fixture.longRunning(ctx('cancel'));
      try {
        const before = new Set(childrenNamed(child));
        const env = mockEnv();
        const running = runActivity(env, createActivities(fixture.provider()), call).catch((e: unknown) => e);
        // The step's long run: a new child that has lived a second (short runs before it, such
        // as a configure step, end by themselves and prove nothing).
        const seen = new Map<number, number>();
        let pid = 0;
        await until(`a ${child} child of the step running for a second`, () => {
          for (const p of childrenNamed(child)) if (!before.has(p) && !seen.has(p)) seen.set(p, Date.now());
          pid = [...seen].find(([p, since]) => alive(p) && Date.now() - since >= 1_000)?.[0] ?? 0;
          return pid > 0;
        }, 120_000);
        env.cancel();
        const err = await running;
        expect(err).toBeInstanceOf(Error);
        await until(`${child} (pid ${pid}) stopped`, () => !alive(pid), 15_000);
      } finally {
        restore();
      }
    }, SLOW_MS);

    it('a panic on a node\'s console ends the soak as a finding, not an error', async () => {
      const c = ctx('panic');
      const provider = fixture.provider();
      const cluster = await fixture.provision(c);
      try {
        const line = 'Kernel panic - not syncing: Fatal exception in interrupt';
        await fixture.panicOnConsole(c, cluster, `[  101.000000] ${line}`);
        const out = await provider.soakCheck({ ctx: c, cluster, tick: 1, scan: false, elapsedSeconds: 30 }, plainIO());
        expect(out.panicked).toBe(true);
        const dead = out.nodes.filter((x) => x.panicked);
        expect(dead.length).toBeGreaterThan(0);
        for (const x of dead) expect(x).toMatchObject({ healthy: false, detail: expect.stringContaining(line) });
      } finally {
        await provider.teardown({ ctx: c, cluster }, plainIO());
      }
    }, SLOW_MS);
  });
}
