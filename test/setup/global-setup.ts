import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../src/app/dev-server';
import { assertCorpusWhenRequired, corpusNote } from '../support/corpus';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalDbFile: string;
    temporalServerPid: number;
  }
}

let server: DevServer | undefined;
let dir: string | undefined;

/** One real Temporal dev server for the whole run, on a free port and a throw-away SQLite file. */
export async function setup(project: TestProject) {
  // Before anything slow starts: a CI run without the corpus fails here, a user's clone says
  // in one line which cases it leaves out.
  assertCorpusWhenRequired();
  const note = corpusNote();
  if (note) console.warn(note);
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-test-'));
  server = await startDevServer({ dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log'), uiPort: false });
  project.provide('temporalAddress', server.address);
  project.provide('temporalDbFile', join(dir, 'temporal.db'));
  project.provide('temporalServerPid', server.process.pid ?? 0);
  process.env.RCDEBUG_TEST_TEMPORAL_ADDRESS = server.address;
}

export async function teardown() {
  await server?.stop();
  if (dir && !process.env.RCDEBUG_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
}
