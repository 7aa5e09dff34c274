/**
 * The shell script node-test sends through SSM Run Command, and the reading of what it
 * prints. The script marks each part of its output with a line `@@rcdebug <part> [value]`, so
 * the activity can tell a build failure from a test failure and a finished run from one cut
 * short by a panic or a timeout. Pure module.
 */
import { kmemleakScript } from '../../steps/kmemleak-scan';

export interface NodeTestScript {
  /** `s3://bucket/prefix/`: the module source the activity uploaded. */
  source: string;
  moduleName: string;
  moduleParams?: string | undefined;
  testCommand?: string | undefined;
  /** Bound of the KUnit run at load and of the test command, each. */
  timeoutSeconds: number;
  /** Bound of the module build. */
  buildSeconds: number;
  kmemleakWaitSeconds: number;
  /** Unique per run: the kernel log is read from the line that carries it. */
  token: string;
}

/** Longest test command output the script prints (its tail). */
export const COMMAND_OUTPUT_BYTES = 65_536;

/** A word for `sh`, quoted. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The script's lines (AWS-RunShellScript runs them as one `sh` script). */
export function nodeTestScript(p: NodeTestScript): string[] {
  const mark = (part: string) => `echo "@@rcdebug ${part}"`;
  const kunit = '/sys/kernel/debug/kunit';
  return [
    'export LC_ALL=C',
    'W=$(mktemp -d /var/tmp/rcdebug-node-test.XXXXXX)',
    `trap 'rm -rf "$W"' EXIT`,
    `${mark('uname')} "$(uname -r)"`,
    'mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug',
    `echo "rcdebug-validate: start ${p.token}" > /dev/kmsg`,
    // The source, from the cycle's artifact store (the instance profile reads the bucket).
    `if ! aws s3 cp --recursive --only-show-errors ${shellQuote(p.source)} "$W/src" > "$W/fetch.log" 2>&1; then ${mark('fetch-failed')}; cat "$W/fetch.log"; exit 20; fi`,
    // The compiler, when the image has none (the EKS AMI ships without it; the kernel's own build tree comes with the debug kernel's kernel-devel).
    `if ! command -v make > /dev/null || ! command -v gcc > /dev/null; then dnf install -y -q make gcc elfutils-libelf-devel > "$W/tools.log" 2>&1 || { ${mark('tools-failed')}; cat "$W/tools.log"; exit 23; }; fi`,
    // Built against the running kernel's headers (the debug AMI carries them).
    `if ! timeout -k 10 ${p.buildSeconds} make -C "/lib/modules/$(uname -r)/build" M="$W/src" modules > "$W/build.log" 2>&1; then ${mark('build-failed')}; cat "$W/build.log"; exit 21; fi`,
    `KO=$(find "$W/src" -name ${shellQuote(`${p.moduleName}.ko`)} | head -n 1)`,
    `if [ -z "$KO" ]; then ${mark('build-failed')}; echo "the build made no ${p.moduleName}.ko"; cat "$W/build.log"; exit 21; fi`,
    // A retried step finds the module of the first attempt loaded.
    `rmmod ${shellQuote(p.moduleName)} 2>/dev/null || true`,
    `ls ${kunit} 2>/dev/null | sort > "$W/suites.before"`,
    // The module's KUnit suites run while it loads.
    `timeout -k 10 ${p.timeoutSeconds} insmod "$KO" ${p.moduleParams ? p.moduleParams.split(/\s+/).filter(Boolean).map(shellQuote).join(' ') : ''} > "$W/insmod.log" 2>&1`,
    'LOAD=$?',
    // A module that does not load is a failed test; the kernel log still tells why.
    `if [ "$LOAD" -ne 0 ]; then ${mark('insmod-failed')} "$LOAD"; cat "$W/insmod.log"; fi`,
    `ls ${kunit} 2>/dev/null | sort > "$W/suites.after"`,
    ...(p.testCommand
      ? [
          'if [ "$LOAD" -eq 0 ]; then',
          mark('command'),
          `timeout -k 10 ${p.timeoutSeconds} sh -c ${shellQuote(p.testCommand)} > "$W/command.log" 2>&1 < /dev/null`,
          'RC=$?',
          `tail -c ${COMMAND_OUTPUT_BYTES} "$W/command.log"`,
          `${mark('command-exit')} "$RC"`,
          'fi',
        ]
      : []),
    mark('ktap'),
    `for s in $(comm -13 "$W/suites.before" "$W/suites.after"); do cat "${kunit}/$s/results"; done`,
    mark('kmemleak'),
    // The double scan in a sub-shell: its `exec` and `set -e` stay there.
    `( ${kmemleakScript(p.kmemleakWaitSeconds).join('\n')}\n) 2>&1`,
    mark('dmesg'),
    `dmesg | sed -n '/rcdebug-validate: start ${p.token}/,$p'`,
    mark('end'),
  ];
}

/** What the script printed, by part. */
export interface NodeTestPrinted {
  uname?: string | undefined;
  /** The step that failed before the tests, with what it printed. */
  failure?: { part: 'fetch-failed' | 'tools-failed' | 'build-failed'; text: string } | undefined;
  /** insmod's exit status and words when the module did not load. */
  load?: { exitCode: number; text: string } | undefined;
  command?: { exitCode: number; output: string } | undefined;
  ktap: string;
  kmemleak: string;
  dmesg: string;
  /** The end mark was printed: nothing was cut. */
  complete: boolean;
}

const MARK = /^@@rcdebug ([a-z-]+)(?: (.*))?$/;

/** Splits the script's output at its marks. */
export function readNodeTestOutput(stdout: string): NodeTestPrinted {
  const parts = new Map<string, string[]>();
  const values = new Map<string, string>();
  let current = 'preamble';
  for (const line of stdout.split('\n')) {
    const m = MARK.exec(line);
    if (m?.[1]) {
      current = m[1];
      parts.set(current, []);
      if (m[2] !== undefined) values.set(current, m[2].replace(/^"|"$/g, ''));
      continue;
    }
    parts.get(current)?.push(line);
  }
  const text = (part: string) => (parts.get(part) ?? []).join('\n').trim();
  const failed = (['fetch-failed', 'tools-failed', 'build-failed'] as const).find((f) => parts.has(f));
  const exit = values.get('command-exit');
  const load = values.get('insmod-failed');
  return {
    uname: values.get('uname'),
    failure: failed ? { part: failed, text: text(failed) } : undefined,
    load: load !== undefined ? { exitCode: Number(load), text: text('insmod-failed') } : undefined,
    command: exit !== undefined ? { exitCode: Number(exit), output: text('command') } : undefined,
    ktap: text('ktap'),
    kmemleak: text('kmemleak'),
    dmesg: text('dmesg'),
    complete: parts.has('end'),
  };
}

/** The first compiler error of a build log (`file.c:12:3: error: ...`), else its last lines. */
export function firstCompilerError(log: string): string {
  const lines = log.split('\n');
  const i = lines.findIndex((l) => /\berror\b/i.test(l));
  return i >= 0 ? lines.slice(i, i + 3).join('\n').trim() : lines.slice(-8).join('\n').trim();
}

/** A KTAP line: a version, a plan, a result or a diagnostic, at any indentation. */
const KTAP_LINE = /^\s*(K?TAP version \d+|\d+\.\.\d+|(not )?ok \d+|# )/;

/**
 * The KTAP KUnit printed to the kernel log (a kernel without CONFIG_KUNIT_DEBUGFS has no
 * results files): the log's KTAP lines without their timestamps, from the first version line.
 */
export function ktapFromLog(log: string): string {
  const lines = log.split('\n').map((l) => l.replace(/^\[\s*\d+\.\d+\] ?/, ''));
  const first = lines.findIndex((l) => /^\s*K?TAP version \d+/.test(l));
  return first < 0 ? '' : lines.slice(first).filter((l) => KTAP_LINE.test(l)).join('\n');
}
