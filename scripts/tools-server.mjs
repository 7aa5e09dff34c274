// The self-hosted Temporal server (the production engine) and what it stands on: the server
// binary and its SQL schema tool, built from the Go module proxy into the rcdebug cache, and
// PostgreSQL from Debian's packages. Extends the tool table of toolchain.mjs.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildInModule } from './tools-iac.mjs';

// The release the temporal CLI's dev server (TEMPORAL_CLI_VERSION) embeds, so the dev server
// and the self-hosted server run the same history code, and the build reuses its modules.
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const SERVER_MODULE = 'go.temporal.io/server';

/** Debian installs PostgreSQL's server programs off PATH, under /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir() {
  const fromEnv = process.env.RCDEBUG_POSTGRES_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'postgres'))) return fromEnv;
  let majors = [];
  try {
    majors = readdirSync('/usr/lib/postgresql').filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  } catch {
    return undefined;
  }
  const hit = majors.map((m) => `/usr/lib/postgresql/${m}/bin`).find((d) => existsSync(join(d, 'postgres')) && existsSync(join(d, 'initdb')));
  return hit;
}

function serverBuildTool(ctx, { name, purpose, pkg, env }) {
  const howTo = `cd "$(go mod download -json ${SERVER_MODULE}@${TEMPORAL_SERVER_VERSION} | sed -n 's/.*"Dir": "\\(.*\\)".*/\\1/p')" && GOFLAGS=-buildvcs=false nice go build -trimpath -o ${join(ctx.binDir, name)} ${pkg}`;
  return {
    name,
    purpose,
    versionArgs: ['--version'],
    env,
    needed: ['test', 'bench'],
    find: ctx.standardFind(name, env),
    install() {
      if (!ctx.which('go')) throw new Error(`the Go toolchain is needed to build ${name}: install Go (https://go.dev/dl) or set ${env}`);
      buildInModule(ctx, { module: SERVER_MODULE, version: TEMPORAL_SERVER_VERSION, pkg, out: name, ldflags: '-s -w', nice: true });
    },
    howToInstall: howTo,
  };
}

/** @param {Parameters<typeof import('./tools-iac.mjs').iacTools>[0]} ctx */
export function serverTools(ctx) {
  return [
    serverBuildTool(ctx, { name: 'temporal-server', purpose: 'self-hosted Temporal server on PostgreSQL (engine tests, bench)', pkg: './cmd/server', env: 'RCDEBUG_TEMPORAL_SERVER' }),
    serverBuildTool(ctx, { name: 'temporal-sql-tool', purpose: 'schema setup of the self-hosted server\'s PostgreSQL', pkg: './cmd/tools/sql', env: 'RCDEBUG_TEMPORAL_SQL_TOOL' }),
    {
      name: 'postgres',
      purpose: 'PostgreSQL for the self-hosted Temporal server (engine tests, bench)',
      versionArgs: ['--version'],
      needed: ['test', 'bench'],
      find: () => {
        const dir = postgresBinDir();
        return dir ? { path: join(dir, 'postgres'), source: dir.startsWith('/usr/lib/') ? 'apt' : '$RCDEBUG_POSTGRES_BIN' } : undefined;
      },
      apt: 'postgresql',
      howToInstall: 'sudo apt-get install -y postgresql',
    },
  ];
}
