/**
 * verify-config.py's rules on a small hand-written Kconfig tree: one case per kind of reason,
 * plus the Kconfig syntax that must not confuse it (help text, continuation lines, `source`
 * with $(SRCARCH), blocks).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERIFY_SCRIPT, type DroppedOption, type VerifyReport } from '../../activities/providers/local/kernel-verify';
import { tempDir } from './fake-kernel';

const KCONFIG = `mainmenu "test"
source "sub/Kconfig"
source "arch/$(SRCARCH)/Kconfig"

config A
	bool "a"
	help
	  A help text that mentions
	  config FAKE_FROM_HELP
	  depends on NOTHING

config B
	tristate "b"
	depends on A && \\
		   C

config C
	bool "c"

if C
config INSIDE_IF
	bool "inside if"
endif

menu "a menu"
	depends on A

config IN_MENU
	bool "in menu"

endmenu

config N
	int "a number"
	range 10 20
	default 15

choice
	prompt "pick one"
	default P1

config P1
	bool "p1"

config P2
	bool "p2"

endchoice

config SELECTOR
	bool "selector"
	select SELECTED if !C

config PROMPT_IF
	bool "prompt if" if A

config NEEDS_MACRO
	bool "macro"
	depends on $(success,true) && A
`;

const FILES: Record<string, string> = {
  Kconfig: KCONFIG,
  'sub/Kconfig': 'config SELECTED\n\tbool "selected"\n\nconfig NO_PROMPT\n\tbool\n\tdefault y\n',
  'arch/x86/Kconfig': 'config X86_ONLY\n\tbool "x86"\n',
  'arch/arm/Kconfig': 'config ARM_ONLY\n\tbool "arm"\n',
};

const CONFIG = 'CONFIG_N=15\nCONFIG_P1=y\nCONFIG_SELECTOR=y\nCONFIG_SELECTED=y\nCONFIG_NO_PROMPT=y\nCONFIG_X86_ONLY=y\n';

const FRAGMENT = [
  'CONFIG_X86_ONLY=y',
  'CONFIG_B=m',
  'CONFIG_INSIDE_IF=y',
  'CONFIG_IN_MENU=y',
  'CONFIG_N=30',
  'CONFIG_P2=y',
  '# CONFIG_SELECTED is not set',
  '# CONFIG_NO_PROMPT is not set',
  'CONFIG_PROMPT_IF=y',
  'CONFIG_NEEDS_MACRO=y',
  'CONFIG_ARM_ONLY=y',
  'CONFIG_FAKE_FROM_HELP=y',
  '# CONFIG_C is not set',
].join('\n');

let tmp: ReturnType<typeof tempDir>;
let report: VerifyReport;
let exitCode: number;

beforeAll(async () => {
  tmp = tempDir('krules');
  for (const [rel, text] of Object.entries(FILES)) {
    mkdirSync(join(tmp.dir, 'tree', rel, '..'), { recursive: true });
    writeFileSync(join(tmp.dir, 'tree', rel), text);
  }
  writeFileSync(join(tmp.dir, '.config'), CONFIG);
  writeFileSync(join(tmp.dir, 'want.config'), FRAGMENT);
  const args = [VERIFY_SCRIPT, '--config', join(tmp.dir, '.config'), '--srctree', join(tmp.dir, 'tree'), join(tmp.dir, 'want.config')];
  const out = await promisify(execFile)('python3', args).catch((e: { code: number; stdout: string }) => e);
  exitCode = 'code' in out ? out.code : 0;
  report = JSON.parse(out.stdout) as VerifyReport;
});
afterAll(() => tmp.remove());

const dropped = (option: string): DroppedOption | undefined => report.dropped.find((d) => d.option === `CONFIG_${option}`);

describe('verify-config.py rules', () => {
  it('reports every dropped option, keeps the survivors, and exits 1', () => {
    expect(exitCode).toBe(1);
    expect(report.requested).toBe(13);
    expect(report.kconfigFiles).toBe(3);
    expect(dropped('X86_ONLY')).toBeUndefined();
    expect(dropped('C')).toBeUndefined();
    expect(report.dropped).toHaveLength(11);
  });

  it.each([
    { option: 'B', kind: 'unmet-dependency', reason: 'depends on A (A=n); depends on C (C=n)' },
    { option: 'INSIDE_IF', kind: 'unmet-dependency', reason: 'inside `if` C (C=n)' },
    { option: 'IN_MENU', kind: 'unmet-dependency', reason: 'its menu depends on A (A=n)' },
    { option: 'PROMPT_IF', kind: 'unmet-dependency', reason: 'its prompt is visible only if A (A=n)' },
    { option: 'NEEDS_MACRO', kind: 'unmet-dependency', reason: 'depends on A (A=n)' },
    { option: 'N', kind: 'range', reason: 'value 30 is outside its range 10..20 (Kconfig:33)' },
    { option: 'P2', kind: 'choice', reason: 'another option of the same choice is set: P1=y' },
    { option: 'SELECTED', kind: 'selected', reason: 'selected by SELECTOR (SELECTOR=y, Kconfig:52)' },
    { option: 'NO_PROMPT', kind: 'no-prompt', reason: 'has no prompt: its value comes from its default, it cannot be turned off' },
    { option: 'ARM_ONLY', kind: 'missing', reason: 'does not exist for x86 (defined only in arch/arm/Kconfig)' },
    { option: 'FAKE_FROM_HELP', kind: 'missing', reason: 'no longer exists in this kernel (no Kconfig defines it)' },
  ])('$option: $kind', ({ option, kind, reason }) => {
    expect(dropped(option)).toMatchObject({ kind, reason });
  });

  it('names the fragment line and the Kconfig line of each unmet conjunct', () => {
    expect(dropped('B')).toMatchObject({
      requested: 'm',
      actual: null,
      fragment: `${join(tmp.dir, 'want.config')}:2`,
      unmet: [
        { kind: 'depends on', expr: 'A', symbols: { A: 'n' }, where: 'Kconfig:14' },
        { kind: 'depends on', expr: 'C', symbols: { C: 'n' }, where: 'Kconfig:14' },
      ],
    });
  });
});
