/**
 * The example GitHub Actions workflows (examples/github-actions) checked by the real actionlint
 * (built from the Go module proxy by the bootstrap): every file passes, and a broken one fails,
 * so the check is known to look.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/domain/paths';
import { realTool, runTool } from './real-tool';

const DIR = join(repoRoot, 'examples', 'github-actions');
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const scratch = mkdtempSync(join(tmpdir(), 'rcdebug-actionlint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// No shellcheck/pyflakes from wherever the machine has them: the same check on every machine.
const lint = (file: string) => runTool(realTool('actionlint'), ['-no-color', '-shellcheck=', '-pyflakes=', file]);

describe('examples/github-actions', () => {
  it('has the nightly validation workflow', () => {
    expect(files).toContain('nightly-validate.yml');
    const text = readFileSync(join(DIR, 'nightly-validate.yml'), 'utf8');
    expect(text).toMatch(/rcdebug validate --repo \. --ref "\$REF"/);
    expect(text).toContain('--junit junit.xml');
  });

  it.each(files)('%s passes actionlint', (file) => {
    const r = lint(join(DIR, file));
    expect(r.output.trim(), r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('a broken workflow fails actionlint', () => {
    const broken = join(scratch, 'broken.yml');
    copyFileSync(join(DIR, 'nightly-validate.yml'), broken);
    // An unknown event, and an expression reading a context that does not exist.
    writeFileSync(broken, readFileSync(broken, 'utf8').replace('workflow_dispatch:', 'workflow_dispatchh:').replace('${{ inputs.ref', '${{ input.ref'));
    const r = lint(broken);
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/unknown Webhook event "workflow_dispatchh"/);
    expect(r.output).toMatch(/undefined variable "input"/);
  });
});
