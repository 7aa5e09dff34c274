#!/usr/bin/env node
// Makes a fresh clone ready for one purpose (test, demo, bench, dev): installs the npm
// dependencies when they are missing or stale, then every external tool the purpose needs.
// Idempotent and quick when everything is already there.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTools } from './toolchain.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv[2] ?? 'test';

function npmDepsStale() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  return statSync(join(root, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs;
}

try {
  if (npmDepsStale()) {
    process.stderr.write('rcdebug: installing npm dependencies (npm ci)\n');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const found = await ensureTools(purpose);
  if (process.env.RCDEBUG_BOOTSTRAP_VERBOSE) {
    for (const [name, path] of Object.entries(found)) process.stderr.write(`  ${name}: ${path}\n`);
  }
} catch (err) {
  process.stderr.write(`rcdebug: the toolchain for "${purpose}" is not ready: ${err.message}\n`);
  process.exit(1);
}
