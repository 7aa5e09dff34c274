/**
 * The kmemleak double scan as a cloud node runs it through its cloud's run-command API (pure
 * module): the image's `rcdebug-kmemleak-scan` (scan, wait, scan, report; the first scan of a
 * pair has false positives), or the same steps inline on an image baked without it.
 */
export function kmemleakScript(waitSeconds: number): string[] {
  return [
    'set -e',
    `if [ -x /usr/local/sbin/rcdebug-kmemleak-scan ]; then exec /usr/local/sbin/rcdebug-kmemleak-scan ${waitSeconds}; fi`,
    'test -w /sys/kernel/debug/kmemleak || mount -t debugfs none /sys/kernel/debug',
    'echo scan > /sys/kernel/debug/kmemleak',
    `sleep ${waitSeconds}`,
    'echo scan > /sys/kernel/debug/kmemleak',
    'cat /sys/kernel/debug/kmemleak',
  ];
}
