// The self-hosted Temporal server (the production engine) and what it stands on: the server
// binary and its SQL schema tool, built from the Go module proxy into the rcdebug cache, and
// PostgreSQL from Debian's packages. Extends the tool table of toolchain.mjs.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The temporal CLI, whose dev server serves the tests and the demo. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const CLI_MODULE = 'github.com/temporalio/cli';
// The release the temporal CLI's dev server embeds (its go.mod requires it), so the dev server
// and the self-hosted server run the same history code.
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const SERVER_MODULE = 'go.temporal.io/server';

/**
 * Builds a package of the Temporal server inside a writable copy of the CLI's module, so it is
 * compiled with the CLI's dependency versions and flags (as `go install` built the CLI: no
 * -trimpath) and Go's build cache serves nearly all of it from the CLI's build: measured on
 * 2026-12-07, 15 s against 3.9 min built in the server's own module from an empty cache.
 * `go get` adds the few modules the server's commands need beyond the CLI's.
 */
function buildInCliModule(ctx, { pkg, out }) {
  const env = { ...process.env, GOFLAGS: '-buildvcs=false' };
  mkdirSync(ctx.binDir, { recursive: true });
  process.stderr.write(`rcdebug: $ go mod download -json ${CLI_MODULE}@${TEMPORAL_CLI_VERSION}\n`);
  const info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', `${CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], { env, cwd: ctx.cacheDir, encoding: 'utf8' }));
  if (!info.Dir) throw new Error(`go mod download ${CLI_MODULE}@${TEMPORAL_CLI_VERSION} gave no module directory: ${info.Error ?? 'unknown error'}`);
  const work = join(ctx.cacheDir, `${out}.module`);
  // The module cache is read-only, and so is a copy of it until made writable (go get writes
  // go.mod and go.sum; removing the copy needs its folders writable when not root).
  const removeWork = () => {
    if (existsSync(work)) execFileSync('chmod', ['-R', 'u+w', work]);
    rmSync(work, { recursive: true, force: true });
  };
  removeWork();
  cpSync(info.Dir, work, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', work]);
  const target = join(ctx.binDir, out);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const nice = ctx.which('nice') ? ['nice', '-n', '10'] : [];
  const go = (args) => (nice.length ? ctx.run(nice[0], [...nice.slice(1), 'go', ...args], { env, cwd: work }) : ctx.run('go', args, { env, cwd: work }));
  go(['get', `${SERVER_MODULE}/${pkg}@${TEMPORAL_SERVER_VERSION}`]);
  go(['build', '-o', partial, '-ldflags', '-s -w', `${SERVER_MODULE}/${pkg}`]);
  renameSync(partial, target);
  removeWork();
}

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
  const howTo = `cp -r "$(go mod download -json ${CLI_MODULE}@${TEMPORAL_CLI_VERSION} | sed -n 's/.*"Dir": "\\(.*\\)".*/\\1/p')" /tmp/cli && chmod -R u+w /tmp/cli && cd /tmp/cli && go get ${SERVER_MODULE}/${pkg}@${TEMPORAL_SERVER_VERSION} && GOFLAGS=-buildvcs=false go build -o ${join(ctx.binDir, name)} ${SERVER_MODULE}/${pkg}`;
  return {
    name,
    purpose,
    versionArgs: ['--version'],
    env,
    needed: ['test', 'bench'],
    find: ctx.standardFind(name, env),
    install() {
      if (!ctx.which('go')) throw new Error(`the Go toolchain is needed to build ${name}: install Go (https://go.dev/dl) or set ${env}`);
      buildInCliModule(ctx, { pkg, out: name });
    },
    howToInstall: howTo,
  };
}

/** @param {Parameters<typeof import('./tools-iac.mjs').iacTools>[0]} ctx */
export function serverTools(ctx) {
  return [
    serverBuildTool(ctx, { name: 'temporal-server', purpose: 'self-hosted Temporal server on PostgreSQL (engine tests, bench)', pkg: 'cmd/server', env: 'RCDEBUG_TEMPORAL_SERVER' }),
    serverBuildTool(ctx, { name: 'temporal-sql-tool', purpose: 'schema setup of the self-hosted server\'s PostgreSQL', pkg: 'cmd/tools/sql', env: 'RCDEBUG_TEMPORAL_SQL_TOOL' }),
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
