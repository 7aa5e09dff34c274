import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/domain/paths';

// No Docker engine runs here, so the compose file is checked as data: the services, how they
// reach each other, and what the worker needs.
interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  command?: string[];
  volumes?: string[];
}

const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

describe('docker-compose.yml', () => {
  it('has PostgreSQL, its schema, a Temporal server on it, the namespace, the UI and an rcdebug worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgresql', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker']);
    const t = compose.services.temporal as Service;
    // The server's configuration itself is checked in server-config.test.ts.
    expect(t.environment).toMatchObject({ RCDEBUG_PG_ADDR: 'postgresql:5432' });
    expect(t.ports).toContain('7233:7233');
    expect(t.depends_on).toMatchObject({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(compose.services['temporal-schema']?.depends_on).toMatchObject({ postgresql: { condition: 'service_healthy' } });
    expect(compose.services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(compose.services['temporal-ui']?.ports).toContain('8080:8080');
  });

  it('builds the worker from the repository and points it at the server', () => {
    const w = compose.services.worker as Service;
    expect(w.build).toBe('.');
    expect(w.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'default' });
    expect(w.depends_on).toMatchObject({ 'temporal-namespace': { condition: 'service_completed_successfully' } });
    expect(w.command?.slice(0, 3)).toEqual(['worker', '--clouds', 'local']);
    // Kernel builds must survive container restarts.
    expect(w.volumes?.some((v) => v.endsWith(':/var/cache/rcdebug'))).toBe(true);
    for (const v of w.volumes ?? []) expect(Object.keys(compose.volumes)).toContain(v.split(':')[0]);
  });

  it('the Dockerfile runs the rcdebug CLI with the local cloud tools installed', () => {
    expect(dockerfile).toMatch(/^FROM node:20/m);
    for (const pkg of ['linux-source-6.1', 'qemu-system-x86', 'busybox-static', 'cpio']) expect(dockerfile).toContain(pkg);
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "bin\/rcdebug.js"\]/);
    expect(dockerfile).toMatch(/npm ci/);
  });
});
