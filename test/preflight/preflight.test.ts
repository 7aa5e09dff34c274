import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preflight } from '../../activities/preflight';
import { parseCycleInput } from '../../src/domain/input';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-preflight-'));
  writeFileSync(join(dir, 'baseline.yaml'), '- signature: "KASAN: use-after-free Read in kbug_uaf_read"\n  status: open\n');
  writeFileSync(join(dir, 'broken.yaml'), '- signature: "unterminated\n  status: [open\n');
  writeFileSync(join(dir, 'blank-param.yaml'), 'local:\n  nodes:\n    - name: node-1\n      modules:\n        - name: kbug\n          params: { bug: "use after free" }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  name: string;
  input: Record<string, unknown>;
  /** Expected error fields with a fragment of their message; empty = the cycle may start. */
  errors: [string, RegExp][];
}

const cases: Case[] = [
  { name: 'valid: the demo manifest, a baseline, the example module', input: { baseline: '<dir>/baseline.yaml' }, errors: [] },
  { name: 'a baseline that does not exist', input: { baseline: '<dir>/nope.yaml' }, errors: [['baseline', /nope\.yaml does not exist/]] },
  { name: 'a baseline that is not valid YAML', input: { baseline: '<dir>/broken.yaml' }, errors: [['baseline', /broken\.yaml:\d+: not valid YAML/]] },
  { name: 'a local module parameter with a blank', input: { manifest: '<dir>/blank-param.yaml' }, errors: [['manifest', /local\.nodes\.0\.modules\.0\.params\.bug: "use after free": .*no blanks/]] },
  { name: 'a module source that does not exist', input: { module: { name: 'kbug', source: '<dir>/no-module' } }, errors: [['module.source', /no-module does not exist/]] },
  { name: 'a module source without a Makefile', input: { module: { name: 'kbug', source: '<dir>' } }, errors: [['module.source', /no Makefile or Kbuild/]] },
  { name: 'an aws cycle on a manifest with no workload cluster', input: { clouds: ['aws'] }, errors: [['manifest', /workloadCluster: the cycle runs on aws/]] },
];

describe('preflight: every file and field a cycle reads, before its first step', () => {
  it.each(cases)('$name', async ({ input, errors }) => {
    const raw = JSON.parse(JSON.stringify({ rc: 'v1.0.0', ...input }).replaceAll('<dir>', dir)) as unknown;
    const parsed = parseCycleInput(raw);
    expect(parsed.errors).toEqual([]);
    const r = await preflight(parsed.value!);
    expect(r.errors.map((e) => e.field)).toEqual(errors.map(([f]) => f));
    errors.forEach(([, pattern], i) => expect(r.errors[i]?.message).toMatch(pattern));
  });
});

describe('onKernelError: checked with the cycle input, before the cycle starts', () => {
  it('defaults to report; panic and panicOnWarn with panic are accepted', () => {
    expect(parseCycleInput({ rc: 'v1.0.0' }).value?.onKernelError).toBe('report');
    expect(parseCycleInput({ rc: 'v1.0.0', onKernelError: 'panic', panicOnWarn: true })).toMatchObject({ errors: [], value: { onKernelError: 'panic', panicOnWarn: true } });
  });

  it.each([
    [{ onKernelError: 'crash' }, 'onKernelError', /"crash" is not a way to handle a kernel error: use "report" .* or "panic"/],
    [{ panicOnWarn: true }, 'panicOnWarn', /only with onKernelError "panic"/],
    [{ onKernelError: 'panic', panicOnWarn: 'yes' }, 'panicOnWarn', /true or false/],
  ])('rejects %j naming the field', (input, field, message) => {
    const { errors } = parseCycleInput({ rc: 'v1.0.0', ...input });
    expect(errors.map((e) => e.field)).toEqual([field]);
    expect(errors[0]?.message).toMatch(message);
  });
});
