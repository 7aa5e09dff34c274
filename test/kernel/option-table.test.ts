import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTION_TABLE_DOC, flavorOptionReports } from '../../activities/providers/local/kernel-option-table';
import { renderOptionTable, withOptionTable } from '../../activities/providers/local/kernel-options';
import { cacheDir } from '../../src/domain/paths';

// The users' option list against the real kernel: both flavors configured from the repository's
// fragments with the cycle's kernel source (allnoconfig, olddefconfig, both verifications;
// nothing compiled). docs/kernel.md's table must be what they give, so it cannot drift.

describe("the users' option list on the real kernel", () => {
  it('every option is present in its flavor or explained, and docs/kernel.md shows exactly that', async () => {
    const reports = await flavorOptionReports({ cacheDir: cacheDir() });
    const listed = readFileSync('kernel/options.list', 'utf8').split('\n').filter((l) => l.startsWith('CONFIG_'));
    for (const r of reports) {
      expect(r.ok).toBe(true);
      expect(r.options.map((o) => `${o.option}=${o.requested}`)).toEqual(listed.map((l) => l.split(/\s+/)[0]));
      for (const o of r.options.filter((x) => !x.present)) expect(o.reason, o.option).toMatch(/\S/);
    }
    const row = (option: string) => reports.map((r) => r.options.find((o) => o.option === option)!);
    // The ones the users' pipeline could not have on 6.1, each with its reason.
    expect(row('CONFIG_DEBUG_KMEMLEAK_EARLY_LOG_SIZE').map((o) => o.kind)).toEqual(['missing', 'missing']);
    expect(row('CONFIG_DEBUG_STACKOVERFLOW')[0]?.reason).toContain('selected only by X86_32');
    const [kasan, kcsan] = reports;
    expect(kasan?.options.find((o) => o.option === 'CONFIG_KCSAN')).toMatchObject({ present: false, reason: 'depends on !KASAN (KASAN=y)' });
    expect(kcsan?.options.find((o) => o.option === 'CONFIG_KCSAN')?.present).toBe(true);
    expect(kcsan?.options.find((o) => o.option === 'CONFIG_KASAN')?.reason).toBe('off because KCSAN=y depends on !KASAN');
    // What was missing before: now present in every flavor.
    for (const option of ['CONFIG_DEBUG_PAGEALLOC', 'CONFIG_SLUB_DEBUG_ON', 'CONFIG_BPF_EVENTS', 'CONFIG_PANIC_ON_OOPS', 'CONFIG_STACKPROTECTOR_STRONG']) {
      expect(row(option).map((o) => o.present), option).toEqual([true, true]);
    }
    const doc = readFileSync(OPTION_TABLE_DOC, 'utf8');
    expect(doc, 'docs/kernel.md is out of date: run `npx tsx scripts/kernel-option-table.ts`').toBe(withOptionTable(doc, renderOptionTable(reports)));
  }, 900_000);
});
