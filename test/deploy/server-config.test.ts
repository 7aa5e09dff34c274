import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/domain/paths';
import { resolveTool } from '../../scripts/toolchain.mjs';
import { TEMPORAL_SERVER_VERSION } from '../../scripts/tools-server.mjs';
import { SERVER_CONFIG_DIR, SERVER_CONFIG_ENV, serverConfigArgs } from '../support/temporal-server';

// One server configuration for docker-compose.yml and the tests' self-hosted server: a change
// to one is a change to the other, or this fails.
interface Service {
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  entrypoint?: string[];
}
const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const template = readFileSync(join(SERVER_CONFIG_DIR, `${SERVER_CONFIG_ENV}.yaml`), 'utf8');
const supportSource = readFileSync(join(repoRoot, 'test', 'support', 'temporal-server.ts'), 'utf8');
const temporal = compose.services.temporal as Service;

/** Renders the configuration with the server's own loader, as `temporal-server start` would. */
function render(env: Record<string, string>): Record<string, unknown> {
  const out = execFileSync(resolveTool('temporal-server').path, ['--config', SERVER_CONFIG_DIR, '--env', SERVER_CONFIG_ENV, 'render-config'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parse(out) as Record<string, unknown>;
}

describe('the Temporal server configuration shared by docker-compose.yml and the tests', () => {
  it('compose mounts the very directory and environment name the test setup starts the server with', () => {
    const mount = temporal.volumes?.find((v) => v.split(':')[1] === '/etc/temporal/config');
    expect(mount?.split(':')[0]).toBe(`./${relative(repoRoot, SERVER_CONFIG_DIR)}`);
    // The same flags as the test setup's, with the directory where compose mounts it.
    expect(temporal.entrypoint).toEqual(['temporal-server', ...serverConfigArgs('/etc/temporal/config'), '--allow-no-auth', 'start']);
    expect(temporal.environment?.RCDEBUG_DYNAMIC_CONFIG).toBe('/etc/temporal/config/dynamicconfig.yaml');
  });

  it('compose runs the server release the project builds, and its schema tool', () => {
    const v = TEMPORAL_SERVER_VERSION.replace(/^v/, '');
    expect(temporal.image).toBe(`temporalio/server:${v}`);
    expect(compose.services['temporal-schema']?.image).toBe(`temporalio/admin-tools:${v}`);
  });

  it('the server the setup built is the pinned release', () => {
    const out = execFileSync(resolveTool('temporal-server').path, ['--version'], { encoding: 'utf8' });
    expect(out.trim()).toBe(`temporal version ${TEMPORAL_SERVER_VERSION.replace(/^v/, '')}`);
  });

  it('every variable compose or the test setup sets is one the configuration reads', () => {
    const read = new Set([...template.matchAll(/env "(RCDEBUG_[A-Z_]+)"/g)].map((m) => m[1]));
    const fromCompose = Object.keys(temporal.environment ?? {});
    const fromTests = [...supportSource.matchAll(/RCDEBUG_[A-Z_]+/g)].map((m) => m[0]).filter((n) => !n.endsWith('_'));
    const portVars = ['FRONTEND', 'HISTORY', 'MATCHING', 'WORKER'].flatMap((s) => [`RCDEBUG_${s}_PORT`, `RCDEBUG_${s}_MEMBERSHIP_PORT`]);
    for (const name of [...fromCompose, ...fromTests, ...portVars]) expect(read.has(name), `${name} is not read by ${SERVER_CONFIG_ENV}.yaml`).toBe(true);
  });

  it('renders, with compose\'s environment, to a server on PostgreSQL at the compose service', () => {
    const cfg = render(temporal.environment ?? {}) as { persistence: { datastores: Record<string, { sql: { connectAddr: string; pluginName: string } }> } };
    const stores = Object.values(cfg.persistence.datastores);
    expect(stores).toHaveLength(2);
    for (const s of stores) expect(s.sql).toMatchObject({ pluginName: 'postgres12', connectAddr: 'postgresql:5432' });
  });

  it('with TLS variables, the frontend requires client certificates from the given CA', () => {
    const cfg = render({ RCDEBUG_TLS_CERT: '/c/server.pem', RCDEBUG_TLS_KEY: '/c/server.key', RCDEBUG_TLS_CLIENT_CA: '/c/ca.pem' }) as {
      global: { tls: { frontend: { server: { requireClientAuth: boolean; clientCaFiles: string[] } } } };
    };
    expect(cfg.global.tls.frontend.server).toMatchObject({ requireClientAuth: true, clientCaFiles: ['/c/ca.pem'] });
    const plain = render({}) as { global: { tls?: { frontend?: { server?: { certFile?: string } } } } };
    expect(plain.global.tls?.frontend?.server?.certFile ?? '').toBe('');
  });
});
