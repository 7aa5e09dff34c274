import { describe, expect, it } from 'vitest';
import { parseStepConcurrency, parseSteps } from '../../src/app/cli/step-options';
import { connectionProblem } from '../../activities/temporal-connection';
import { UnreachableError, UserError } from '../../src/domain/errors';

describe('worker --steps and --step-concurrency', () => {
  it('all serves every queue; a builder lists build steps; rest is every other step', () => {
    expect(parseSteps('all')).toBeUndefined();
    expect(parseSteps('kernel-build, image-bake')).toEqual(['kernel-build', 'image-bake']);
    expect(parseSteps('rest')).toEqual(['rest']);
  });

  it('a step that has no queue of its own, or nothing, is refused naming the flag', () => {
    for (const bad of ['deploy', 'kernel-build,soak', '', ',']) {
      const err = (() => {
        try {
          parseSteps(bad);
        } catch (e) {
          return e;
        }
      })() as UserError;
      expect(err, bad).toBeInstanceOf(UserError);
      expect(err.field).toBe('--steps');
    }
    expect(() => parseSteps('deploy')).toThrow(/unknown "deploy".*rest/);
  });

  it('concurrency per build step, whole numbers of at least 1', () => {
    expect(parseStepConcurrency('kernel-build=1,image-bake=2')).toEqual({ 'kernel-build': 1, 'image-bake': 2 });
    expect(() => parseStepConcurrency('kernel-build=0')).toThrow(/kernel-build must be a whole number from 1/);
    expect(() => parseStepConcurrency('deploy=1')).toThrow(/not <step>=<n>/);
    expect(() => parseStepConcurrency('kernel-build')).toThrow(/not <step>=<n>/);
  });
});

describe('a failed connection names the setting to fix', () => {
  const s = { address: 'h:7233', namespace: 'ns1' };
  it('namespace, API key, certificate, address', () => {
    expect(connectionProblem(s, Object.assign(new Error('Namespace ns1 is not found.'), { code: 5 })).field).toBe('TEMPORAL_NAMESPACE');
    expect(connectionProblem({ ...s, apiKey: 'k' }, Object.assign(new Error('Request unauthorized.'), { code: 16 })).field).toBe('TEMPORAL_API_KEY');
    expect(connectionProblem(s, new Error('TLS handshake failed: tlsv13 alert certificate required')).field).toBe('TEMPORAL_TLS_CLIENT_CERT_PATH');
    const down = connectionProblem(s, new Error('Failed to connect before the deadline'));
    expect(down).toBeInstanceOf(UnreachableError);
    expect(down.field).toBe('TEMPORAL_ADDRESS');
  });
});

describe('a worker whose server does not answer', () => {
  it('retries with backoff for --connect-wait seconds, then exits 10 naming the address', async () => {
    const { spawn } = await import('node:child_process');
    const t0 = Date.now();
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      // Port 1 on the loopback: nothing listens there, so every attempt is refused at once.
      const child = spawn(process.execPath, ['bin/rcdebug.js', 'worker', '--clouds', '', '--connect-wait', '8'], {
        env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.stderr).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1.*trying again in 1 s/);
    expect(r.code).toBe(10);
    // Each attempt gives up after its 5 s connect timeout: two attempts, one pause between.
    expect(r.stderr.match(/trying again/g)).toHaveLength(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(10_000);
  });
});
