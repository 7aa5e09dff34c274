/**
 * The report table: every kind of kernel report the parser knows, grouped by header. Titles
 * follow syzkaller's conventions so they can be compared with syzbot's and other CI's.
 *
 * Adding a report kind is adding a row (see docs/findings.md). Order matters twice: a line is
 * given to the first family whose header it contains, and within a family the format whose
 * title appears first in the report wins (the earlier row on a tie).
 */
import type { ReportFamily, ReportFormat, StackRule } from './format-types';
import { CALL_TRACE, PARSE_STACK, RIP_FRAME } from './patterns';
import { hangFrame, stallFrame } from './stack-rules';

/** RIP line, then the call trace: faults and BUG_ON. */
const faultStack = (skip?: string[]): StackRule => ({ parts: [RIP_FRAME, CALL_TRACE, PARSE_STACK], ...(skip ? { skip } : {}) });
/** Only the call trace. */
const traceStack = (skip?: string[]): StackRule => ({ parts: [CALL_TRACE, PARSE_STACK], ...(skip ? { skip } : {}) });
/** WARN(): the stack starts at the RIP line on x86 (at `--- interrupt:` on powerpc), else at the call trace. */
const warnStack = (...skip: string[]): StackRule => ({
  parts: [`(?:${RIP_FRAME}|--- interrupt: [0-9]+ at {{FUNC}})`, PARSE_STACK],
  fallbackParts: [CALL_TRACE, PARSE_STACK],
  skip,
});
/** A format titled by the guilty frame of its fault stack, with the `bad-access` alternative. */
const fault = (title: string, output: string): ReportFormat => ({
  title, output, alt: ['bad-access in {frame}'], stack: faultStack(),
});
/** A format with no stack at all. */
const plain = (title: string, output: string): ReportFormat => ({ title, output, noStackTrace: true });
/** The bare header with nothing after it: a line cut short. */
const cutShort = (header: string): ReportFormat => ({
  title: `${header}\\s*(?:\\n|$)`, output: `${header} corrupted`, corrupted: true,
});

const KASAN_SKIP = ['kernel_fault', 'tag_check', 'mem_abort', '^el1_', '^el1h_'];
const KFENCE_STACK: StackRule = { parts: ['BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}', PARSE_STACK] };
const KMSAN_STACK = (skip: string[]): StackRule => ({
  parts: [PARSE_STACK, '(Local variable .* created at:|Uninit was created at:)', PARSE_STACK],
  skip,
});

const bugFamily: ReportFamily = {
  header: 'BUG:',
  formats: [
    {
      title: 'BUG: KASAN:',
      report: 'BUG: KASAN: ([a-z\\-]+) in {{FUNC}}(?:.*\\n)+?.*(Read|Write) (?:of size|at addr) (?:[0-9a-f]+)',
      output: 'KASAN: {1} {3} in {frame}',
      alt: ['bad-access in {frame}'],
      stack: { parts: ['BUG: KASAN: (?:[a-z\\-]+) in {{FUNC}}', CALL_TRACE, PARSE_STACK], skip: KASAN_SKIP },
    },
    {
      title: 'BUG: KASAN:',
      report: 'BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}',
      output: 'KASAN: invalid-free in {frame}',
      alt: ['invalid-free in {frame}'],
      stack: {
        parts: ['BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}', CALL_TRACE, PARSE_STACK],
        skip: ['slab_', 'kfree', 'vunmap', 'vfree'],
      },
    },
    { title: 'BUG: KASAN: ([a-z\\-]+) on address(?:.*\\n)+?.*(Read|Write) of size ([0-9]+)', output: 'KASAN: {1} {2}' },
    { title: 'BUG: KASAN: (.*)', output: 'KASAN: {1}', corrupted: true },
    {
      title: 'BUG: KMSAN: kernel-usb-infoleak',
      report: 'BUG: KMSAN: kernel-usb-infoleak in {{FUNC}}',
      output: 'KMSAN: kernel-usb-infoleak in {frame}',
      alt: ['KMSAN origin in {frame2}'],
      stack: KMSAN_STACK(['alloc_skb', 'usb_submit_urb', 'usb_start_wait_urb', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_control_msg']),
      noStackTrace: true,
    },
    {
      title: 'BUG: KMSAN:',
      report: 'BUG: KMSAN: ([a-z\\-]+) in {{FUNC}}',
      output: 'KMSAN: {1} in {frame}',
      alt: ['bad-access in {frame}'],
      stack: KMSAN_STACK(['alloc_skb', 'netlink_ack', 'netlink_rcv_skb', '_encrypt$', '^(?:crypto|cipher|drbg|rng)_']),
      noStackTrace: true,
    },
    { title: 'BUG: KCSAN:', report: 'BUG: KCSAN: (.*)', output: 'KCSAN: {1}', noStackTrace: true },
    {
      title: 'BUG: KFENCE: (use-after-free|out-of-bounds) (read|write) in {{FUNC}}',
      output: 'KFENCE: {1} {2} in {frame}', alt: ['bad-access in {frame}'], stack: KFENCE_STACK,
    },
    {
      title: 'BUG: KFENCE: invalid free in {{FUNC}}',
      output: 'KFENCE: invalid free in {frame}', alt: ['invalid-free in {frame}'], stack: KFENCE_STACK, noStackTrace: true,
    },
    {
      title: 'BUG: KFENCE: invalid (read|write) in {{FUNC}}',
      output: 'KFENCE: invalid {1} in {frame}', alt: ['bad-access in {frame}'], stack: KFENCE_STACK,
    },
    {
      title: 'BUG: KFENCE: memory corruption in {{FUNC}}',
      output: 'KFENCE: memory corruption in {frame}', stack: KFENCE_STACK, noStackTrace: true,
    },
    fault(
      'BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)',
      'BUG: unable to handle kernel paging request in {frame}',
    ),
    fault(
      'BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer dereference|Kernel NULL pointer dereference)',
      'BUG: unable to handle kernel NULL pointer dereference in {frame}',
    ),
    // The kernel prints this header in two pieces; the second may be lost.
    { title: 'BUG: (?:unable to handle kernel|Unable to handle kernel)', output: 'BUG: unable to handle kernel', corrupted: true },
    {
      title: 'BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|cpu recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)',
      output: 'BUG: {1} {2} in {frame}',
      stack: traceStack(['spin_', '_lock', '_unlock']),
    },
    {
      title: 'BUG: soft lockup', output: 'BUG: soft lockup in {frame}', alt: ['stall in {frame}'],
      stack: { ...faultStack(), extractor: stallFrame },
    },
    {
      title: 'BUG: .*still has locks held!',
      report: 'BUG: .*still has locks held!(?:.*\\n)+?.*{{PC}} +{{FUNC}}',
      output: 'BUG: still has locks held in {1}',
    },
    { title: 'BUG: scheduling while atomic', output: 'BUG: scheduling while atomic in {frame}', stack: traceStack(['schedule']) },
    {
      title: 'BUG: lock held when returning to user space',
      report: 'BUG: lock held when returning to user space(?:.*\\n)+?.*leaving the kernel with locks still held(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}',
      output: 'BUG: lock held when returning to user space in {1}',
      noStackTrace: true,
    },
    {
      title: 'BUG: bad unlock balance detected!', output: 'BUG: bad unlock balance in {frame}',
      stack: { parts: ['{{PC}} +{{FUNC}}', CALL_TRACE, PARSE_STACK] },
    },
    { title: 'BUG: held lock freed!', report: 'BUG: held lock freed!(?:.*\\n)+?.*{{PC}} +{{FUNC}}', output: 'BUG: held lock freed in {1}' },
    plain('BUG: Bad rss-counter state', 'BUG: Bad rss-counter state'),
    plain('BUG: non-zero nr_ptes on freeing mm', 'BUG: non-zero nr_ptes on freeing mm'),
    plain('BUG: non-zero nr_pmds on freeing mm', 'BUG: non-zero nr_pmds on freeing mm'),
    {
      // The file system and block device are left out: loop0/loop1 would split one bug.
      title: 'BUG: Dentry .* still in use',
      report: 'BUG: Dentry .* still in use \\([0-9]+\\) \\[(unmount) of ([^\\]]+)\\]',
      output: 'BUG: Dentry still in use in {1}',
      alt: ['BUG: Dentry still in use [{1} of {2}]'],
    },
    {
      title: 'BUG: Bad page (state|cache)',
      output: 'BUG: Bad page {1} in {frame}',
      stack: {
        parts: ['page last allocated', PARSE_STACK],
        skip: ['(free|put|get|update|release)_page', 'free_unref', '^_*folio', 'truncate_inode_pages', 'page_frag_free', 'alloc', 'vmap', 'page_owner'],
      },
    },
    { title: 'BUG: Bad page map', output: 'BUG: Bad page map' },
    plain('BUG: workqueue lockup', 'BUG: workqueue lockup'),
    {
      title: 'BUG: sleeping function called from invalid context at (.*)',
      output: 'BUG: sleeping function called from invalid context in {frame}',
      stack: traceStack(),
    },
    {
      title: 'BUG: using ([a-z_]+)\\(\\) in preemptible',
      output: 'BUG: using {1}() in preemptible code in {frame}',
      stack: traceStack(['dump_stack', 'preemption', 'preempt', 'debug_', 'processor_id', 'this_cpu']),
    },
    {
      title: 'BUG: workqueue leaked lock or atomic',
      report: 'BUG: workqueue leaked lock or atomic(?:.*\\n)+?.*last function: ([a-zA-Z0-9_]+)\\n',
      output: 'BUG: workqueue leaked lock or atomic in {1}',
      noStackTrace: true,
    },
    {
      title: 'BUG: memory leak',
      output: 'memory leak in {frame}',
      stack: {
        parts: ['backtrace(?: \\(crc [0-9a-fA-F]*\\))?:', PARSE_STACK],
        skip: ['kmemleak', 'mmap', 'kmem', 'slab', 'alloc', 'create_object', 'idr_get', 'list_lru_init', 'kasprintf', 'kvasprintf', 'pcpu_create', 'strdup', 'strndup', 'memdup'],
      },
    },
    {
      title: 'BUG: .*stack guard page was hit at',
      output: 'BUG: stack guard page was hit in {frame}',
      alt: ['stack-overflow in {frame}'],
      stack: { ...faultStack(), extractor: stallFrame },
    },
    // arm64 words lockdep's wait-context check differently from x86; one title for both.
    { title: 'BUG: Invalid wait context', output: 'WARNING: locking bug in {frame}', stack: traceStack(['lock_sock', 'release_sock']) },
    cutShort('BUG:'),
  ],
  ignore: ['ODEBUG:', 'Boot_DEBUG:', 'xlog_status:', 'DEBUG:', 'BUG: no syscalls can create resource'],
};

const warningFamily: ReportFamily = {
  header: 'WARNING:',
  formats: [
    {
      title: 'WARNING: .*lib/debugobjects\\.c.* (?:debug_print|debug_check|at)',
      output: 'WARNING: ODEBUG bug in {frame}',
      stack: warnStack('debug_', 'rcu', 'hrtimer_', 'timer_', 'work_', 'percpu_', 'vunmap', 'vfree', '__free_', 'debug_check', 'kobject_'),
    },
    { title: 'WARNING: .*mm/usercopy\\.c.* (?:usercopy_warn|at)', output: 'WARNING: bad usercopy in {frame}', stack: warnStack('usercopy', '__check') },
    { title: 'WARNING: .*lib/kobject\\.c.* (?:kobject_|at)', output: 'WARNING: kobject bug in {frame}', stack: warnStack('kobject_') },
    { title: 'WARNING: .*fs/proc/generic\\.c.* (?:proc_register|at)', output: 'WARNING: proc registration bug in {frame}', stack: warnStack('proc_') },
    { title: 'WARNING: .*lib/refcount\\.c.* (?:refcount_|at)', output: 'WARNING: refcount bug in {frame}', stack: warnStack('refcount', 'kobject_') },
    { title: 'WARNING: .*kernel/locking/lockdep\\.c.*lock_', output: 'WARNING: locking bug in {frame}', stack: warnStack('lock_sock', 'release_sock') },
    {
      title: 'WARNING: .*still has locks held!',
      report: 'WARNING: .*still has locks held!(?:.*\\n)+?.*at: {{FUNC}}',
      output: 'WARNING: still has locks held in {1}',
    },
    { title: 'WARNING: Nested lock was not taken', output: 'WARNING: nested lock was not taken in {frame}', stack: warnStack() },
    {
      title: 'WARNING: lock held when returning to user space',
      report: 'WARNING: lock held when returning to user space(?:.*\\n)+?.*leaving the kernel with locks still held(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}',
      output: 'WARNING: lock held when returning to user space in {1}',
      noStackTrace: true,
    },
    { title: 'WARNING: .*mm/.*\\.c.* k?.?malloc', output: 'WARNING: kmalloc bug in {frame}', stack: warnStack('kmalloc', 'krealloc', 'slab', 'kmem') },
    { title: 'WARNING: .*mm/vmalloc.c.*__vmalloc_node', output: 'WARNING: zero-size vmalloc in {frame}', stack: warnStack() },
    {
      title: 'WARNING: .* usb_submit_urb',
      output: 'WARNING in {frame}/usb_submit_urb',
      stack: warnStack('usb_submit_urb', 'usb_start_wait_urb', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_control_msg'),
    },
    // Newer kernels: "WARNING: net/core/dev.c:123 at 0x..., CPU#1".
    { title: 'WARNING: {{SRC}} at 0x\\d+, CPU#\\d+', output: 'WARNING in {frame}', stack: warnStack() },
    { title: 'WARNING: .* at {{SRC}} {{FUNC}}', output: 'WARNING in {frame}', stack: warnStack() },
    { title: 'WARNING: {{SRC}} at {{FUNC}}', output: 'WARNING in {frame}', stack: warnStack() },
    { title: 'WARNING: \\[.*\\] {{SRC}} at {{FUNC}}.*', output: 'WARNING in {frame}', stack: warnStack() },
    {
      title: 'WARNING: possible circular locking dependency detected',
      report: 'WARNING: possible circular locking dependency detected(?:.*\\n)+?.*is trying to acquire lock',
      output: 'possible deadlock in {frame}',
      stack: {
        parts: ['at: (?:{{PC}} +)?{{FUNC}}', 'at: (?:{{PC}} +)?{{FUNC}}', PARSE_STACK],
        // Work items take their own locks: deadlocks there belong to the workqueue machinery.
        skip: ['process_one_work', 'flush_workqueue', 'drain_workqueue', 'destroy_workqueue'],
      },
    },
    {
      title: 'WARNING: possible irq lock inversion dependency detected',
      report: 'WARNING: possible irq lock inversion dependency detected(?:.*\\n)+?.*just changed the state of lock(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}',
      output: 'possible deadlock in {1}',
    },
    {
      title: 'WARNING: .*-safe -> .*-unsafe lock order detected',
      output: 'possible deadlock in {frame}',
      stack: { parts: ['which became (?:.*) at:', PARSE_STACK] },
    },
    {
      title: 'WARNING: possible recursive locking detected',
      report: 'WARNING: possible recursive locking detected(?:.*\\n)+?.*is trying to acquire lock(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}',
      output: 'possible deadlock in {1}',
    },
    {
      title: 'WARNING: inconsistent lock state',
      report: 'WARNING: inconsistent lock state(?:.*\\n)+?.*takes(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}',
      output: 'inconsistent lock state in {frame}',
      stack: traceStack(),
    },
    {
      title: 'WARNING: suspicious RCU usage',
      report: 'WARNING: suspicious RCU usage(?:.*\\n)+?.*?{{SRC}}',
      output: 'WARNING: suspicious RCU usage in {frame}',
      stack: traceStack(['rcu', 'kmem', 'slab']),
    },
    plain("WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value", "WARNING: kernel stack regs has bad '{1}' value"),
    plain('WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value', 'WARNING: kernel stack frame pointer has bad value'),
    {
      title: 'WARNING: bad unlock balance detected!', output: 'WARNING: bad unlock balance in {frame}',
      stack: { parts: ['{{PC}} +{{FUNC}}', CALL_TRACE, PARSE_STACK] },
    },
    {
      title: 'WARNING: held lock freed!',
      report: 'WARNING: held lock freed!(?:.*\\n)+?.*at:(?: {{PC}})? +{{FUNC}}',
      output: 'WARNING: held lock freed in {1}',
    },
    plain("WARNING: kernel stack regs .* has bad 'bp' value", 'WARNING: kernel stack regs has bad value'),
    plain('WARNING: kernel stack frame pointer .* has bad value', 'WARNING: kernel stack regs has bad value'),
    cutShort('WARNING:'),
  ],
  ignore: [
    'WARNING: /etc/ssh/moduli does not exist, using fixed modulus',
    'WARNING: workqueue cpumask: online intersect > possible intersect',
    'WARNING: [Tt]he mand mount option',
    'WARNING: Unsupported flag value\\(s\\) of 0x%x in DT_FLAGS_1',
    'WARNING: Unprivileged eBPF is enabled with eIBRS',
    "WARNING: fbcon: Driver '(.*)' missed to adjust virtual screen size",
    'WARNING: See https.* for mitigation options.',
    'WARNING: kernel not compiled with CPU_SRSO',
    'EXT4-[Ff][Ss](?: \\(.*\\))?:',
    '(?i)warning: .* uses (deprecated v2 capabilities|wireless extensions)',
    'XFS \\(\\w+\\): WARNING',
  ],
};

/** Old lockdep prints "INFO:" headers followed by " ]" where new kernels print "WARNING:". */
const oldLockdep = (what: string, acquire: string): ReportFormat => ({
  title: `INFO: ${what}`,
  report: `INFO: ${what} \\](?:.*\\n)+?.*${acquire}(?:.*\\n)+?.*at: {{PC}} +{{FUNC}}`,
  output: 'possible deadlock in {1}',
});

const infoFamily: ReportFamily = {
  header: 'INFO:',
  formats: [
    oldLockdep('possible circular locking dependency detected', 'is trying to acquire lock'),
    oldLockdep('possible irq lock inversion dependency detected', 'just changed the state of lock'),
    oldLockdep('SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected', 'is trying to acquire'),
    oldLockdep('possible recursive locking detected', 'is trying to acquire lock'),
    {
      title: 'INFO: inconsistent lock state',
      report: 'INFO: inconsistent lock state \\](?:.*\\n)+?.*takes(?:.*\\n)+?.*at: {{PC}} +{{FUNC}}',
      output: 'inconsistent lock state in {1}',
    },
    {
      title: 'INFO: rcu_(?:preempt|sched|bh|tasks) (?:self-)?detected(?: expedited)? stall',
      output: 'INFO: rcu detected stall in {frame}',
      alt: ['stall in {frame}'],
      stack: {
        parts: ['apic_timer_interrupt', RIP_FRAME, PARSE_STACK],
        fallbackParts: ['(?:apic_timer_interrupt|Exception stack|el1h_64_irq)', PARSE_STACK],
        skip: ['apic_timer_interrupt', 'rcu'],
        extractor: stallFrame,
      },
    },
    { title: 'INFO: trying to register non-static key', output: 'INFO: trying to register non-static key in {frame}', stack: traceStack(['stack', 'lock', 'IRQ']) },
    {
      title: 'INFO: suspicious RCU usage',
      report: 'INFO: suspicious RCU usage(?:.*\\n)+?.*?{{SRC}}',
      output: 'INFO: suspicious RCU usage in {frame}',
      stack: traceStack(['rcu', 'kmem', 'slab']),
    },
    {
      title: 'INFO: task {{TASK}} blocked (?:in I/O wait )?for more than [0-9]+ seconds',
      output: 'INFO: task hung in {frame}',
      alt: ['hang in {frame}'],
      stack: { parts: [CALL_TRACE, PARSE_STACK], extractor: hangFrame },
    },
    {
      title: "INFO: task {{TASK}} can't die for more than .* seconds",
      output: "INFO: task can't die in {frame}",
      alt: ['hang in {frame}'],
      stack: traceStack(['schedule']),
    },
    // What is left of an old-style KASAN report whose header was lost.
    { title: 'INFO: (Freed|Allocated) in (.*)', output: 'INFO: {1} in {2}', corrupted: true },
    cutShort('INFO:'),
  ],
  ignore: [
    'INFO: lockdep is turned off', 'INFO: Stall ended before state dump start', 'INFO: NMI handler',
    'INFO: recovery required on readonly filesystem', '(handler|interrupt).*took too long',
    'INFO: sys_.* is not present in /proc/kallsyms', 'INFO: no syscalls can create resource',
    'rmt_storage:INFO:', '_INFO:',
  ],
};

const single = (header: string, formats: ReportFormat[], ignore?: string[]): ReportFamily => ({ header, formats, ...(ignore ? { ignore } : {}) });
const ripOnly = (title: string, output: string): ReportFormat => ({ title, output, stack: { parts: [RIP_FRAME] } });

const panicFamily = single('Kernel panic', [
  // The kernel may fail to name or unwind a function whose stack was smashed.
  {
    title: 'Kernel panic - not syncing: stack-protector:',
    report: 'Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: {{FUNC}}',
    output: 'kernel panic: stack is corrupted in {1}',
    noStackTrace: true,
  },
  {
    title: 'Kernel panic - not syncing: stack-protector:',
    report: 'Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: [a-f0-9]+',
    output: 'kernel panic: stack is corrupted in {frame}',
    stack: traceStack(['stack_chk']),
  },
  {
    title: 'Kernel panic - not syncing: corrupted stack end',
    report: 'Kernel panic - not syncing: corrupted stack end detected inside scheduler',
    output: 'kernel panic: corrupted stack end in {frame}',
    alt: ['stack-overflow in {frame}'],
    stack: { parts: [CALL_TRACE, PARSE_STACK], skip: ['schedule', 'retint_kernel'], extractor: stallFrame },
  },
  {
    title: 'Kernel panic - not syncing: kernel stack overflow',
    output: 'kernel stack overflow in {frame}',
    alt: ['stack-overflow in {frame}'],
    stack: { parts: [CALL_TRACE, PARSE_STACK], skip: ['bad_stack'], extractor: stallFrame },
  },
  { title: 'Kernel panic - not syncing: Attempted to kill init!', output: 'kernel panic: Attempted to kill init!' },
  { title: "Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+", output: "kernel panic: Couldn't open N_TTY ldisc" },
  // These follow another report; seen alone, the report they follow was lost.
  { title: 'Kernel panic - not syncing: Fatal exception', output: 'kernel panic: Fatal exception', corrupted: true },
  { title: 'Kernel panic - not syncing: panic_on_warn set', output: 'kernel panic: panic_on_warn set', corrupted: true },
  { title: 'Kernel panic - not syncing: hung_task: blocked tasks', output: 'kernel panic: hung_task: blocked tasks', corrupted: true },
  { title: 'Kernel panic - not syncing: (.*)', output: 'kernel panic: {1}' },
]);

const kernelBugFamily = single('kernel BUG', [
  { title: 'kernel BUG at mm/usercopy.c', output: 'BUG: bad usercopy in {frame}', stack: traceStack(['usercopy', '__check']) },
  {
    title: 'kernel BUG at lib/list_debug.c', output: 'BUG: corrupted list in {frame}',
    // List corruption is often memory corruption or a race.
    alt: ['bad-access in {frame}'], stack: traceStack(),
  },
  // skb helpers BUG_ON their arguments; the bug is in the caller.
  { title: 'kernel BUG at (.*)', output: 'kernel BUG in {frame}', stack: faultStack(['^skb_']) },
]);

const ubsanStack = traceStack(['ubsan', 'overflow']);

/** Every family, in the order a line is tried against them. */
export const REPORT_FAMILIES: readonly ReportFamily[] = [
  bugFamily,
  warningFamily,
  infoFamily,
  single('Unable to handle kernel', [
    fault('Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)', 'BUG: unable to handle kernel {1} in {frame}'),
  ]),
  single('general protection fault', [fault('general protection fault.*:', 'general protection fault in {frame}')], [
    // User-space segfaults logged by the kernel.
    'general protection fault .* error:\\d+ in ',
  ]),
  single('stack segment: ', [{ title: 'stack segment: ', output: 'stack segment fault in {frame}', stack: faultStack() }]),
  panicFamily,
  // The NMI watchdog: a CPU stuck with interrupts off. Named like soft lockups.
  single('Watchdog detected hard LOCKUP', [{
    title: 'Watchdog detected hard LOCKUP on cpu',
    output: 'BUG: hard lockup in {frame}',
    alt: ['stall in {frame}'],
    stack: { ...faultStack(), extractor: stallFrame },
  }]),
  single('PANIC: double fault', [ripOnly('PANIC: double fault', 'PANIC: double fault in {frame}')]),
  single('rust_kernel: panicked', [{
    title: 'rust_kernel: panicked',
    report: 'rust_kernel: panicked at [^\\n]*?\\n(.+?)\\n',
    output: '{1} in {frame}',
    stack: traceStack(['__rustc::rust_begin_unwind']),
  }]),
  kernelBugFamily,
  single('Kernel BUG', [{ title: 'Kernel BUG (.*)', output: 'kernel BUG {1}' }]),
  single('BUG kmalloc-', [{ title: 'BUG kmalloc-.*: Object already free', output: 'BUG: Object already free' }]),
  single('divide error:', [ripOnly('divide error: ', 'divide error in {frame}')]),
  // Misspelled by x86 kernels for a while.
  single('divide_error:', [ripOnly('divide_error: ', 'divide error in {frame}')]),
  single('invalid opcode:', [ripOnly('invalid opcode: ', 'invalid opcode in {frame}')]),
  single('int3:', [{ title: 'int3: ', output: 'int3 in {frame}', stack: faultStack() }]),
  single('UBSAN:', [
    { title: 'UBSAN:', report: 'UBSAN: Undefined behaviour in', output: 'UBSAN: undefined-behaviour in {frame}', stack: ubsanStack },
    { title: 'UBSAN: array-index-out-of-bounds in', output: 'UBSAN: array-index-out-of-bounds in {frame}', alt: ['bad-access in {frame}'], stack: ubsanStack },
    { title: 'UBSAN:', report: 'UBSAN: (.*?) in', output: 'UBSAN: {1} in {frame}', stack: ubsanStack },
  ]),
  single('Booting the kernel.', [plain('^Booting the kernel', 'unexpected kernel reboot')], [
    // Boot text echoed back by a mount option is not a reboot.
    'Parsing ELF|Decompressing Linux|Unknown parameter \'',
  ]),
  single('unregister_netdevice: waiting for', [
    plain('unregister_netdevice: waiting for (?:.*) to become free', 'unregister_netdevice: waiting for DEV to become free'),
  ]),
  single('VFS: Close: file count is 0', [plain('VFS: Close: file count is 0', 'VFS: Close: file count is zero (use-after-free)')]),
  single('VFS: Busy inodes after unmount', [plain('VFS: Busy inodes after unmount', 'VFS: Busy inodes after unmount (use-after-free)')]),
  // arm64 reports some faults as internal errors and arm as unhandled faults; x86 calls them GPFs.
  single('Internal error:', [fault('Internal error:', 'Internal error in {frame}')]),
  single('Unhandled fault:', [fault('Unhandled fault:', 'Unhandled fault in {frame}')]),
  single('Alignment trap:', [{ title: 'Alignment trap:', output: 'Alignment trap in {frame}', stack: faultStack() }]),
  single('trusty: panic', [
    {
      title: 'trusty: panic.* ASSERT FAILED',
      report: 'trusty: panic \\(.*?\\):(?: DEBUG)? ASSERT FAILED at \\(.*?\\): (.+)',
      output: 'trusty: ASSERT FAILED: {1}',
      noStackTrace: true,
    },
    { title: 'trusty: panic.* ASSERT FAILED.*: *(.*)', output: 'trusty: ASSERT FAILED: {1}', corrupted: true },
    { title: 'trusty: panic', report: 'trusty: panic \\(.*?\\): (.+)', output: 'trusty: panic: {1}', noStackTrace: true },
  ]),
  single('fatal error:', [plain('fatal error:', 'go runtime error')], ['ALSA', 'fatal error: cannot create timer']),
  // kmemleak's own listing (/sys/kernel/debug/kmemleak), as the soak's scans print it.
  single('unreferenced object 0x', [{
    title: 'unreferenced object {{ADDR}}',
    output: 'memory leak in {frame}',
    stack: {
      parts: ['backtrace(?: \\(crc [0-9a-fA-F]*\\))?:', PARSE_STACK],
      skip: ['kmemleak', 'mmap', 'kmem', 'slab', 'alloc', 'create_object', 'idr_get', 'list_lru_init', 'kasprintf', 'kvasprintf', 'pcpu_create', 'strdup', 'strndup', 'memdup'],
    },
  }]),
  // Failures of the fuzzing executor that produced some of the test logs.
  single('SYZFAIL:', [plain('SYZFAIL:(.*)', 'SYZFAIL:{1}')]),
  single('SYZFATAL:', [{ title: 'SYZFATAL:(.*)()', output: 'SYZFATAL:{1}', alt: ['SYZFATAL{2}'], noStackTrace: true }]),
  single('panic:', [
    plain('panic: Sentry detected .* stuck task', 'panic: Sentry detected stuck tasks'),
    plain('panic:(.*)', 'panic:{1}'),
  ], ['_panic:', 'xlog_status:', 'ddb\\.onpanic:', 'evtlog_status:']),
];

/**
 * Headers that do not start a report of their own when they appear inside a report of
 * another family: the panic that follows an oops, the opcode line of a BUG_ON, a double fault
 * while handling a fault. With `within`, only inside a report whose header line holds it.
 */
export const CONTINUATION_HEADERS: ReadonlyArray<{ header: string; within?: string }> = [
  { header: 'invalid opcode: 0000' },
  { header: 'Kernel panic - not syncing' },
  { header: 'unregister_netdevice: waiting for' },
  { header: 'PANIC: double fault' },
  { header: 'Internal error:' },
  // The objects a "BUG: memory leak" report lists.
  { header: 'unreferenced object 0x', within: 'BUG: memory leak' },
];

/** Informational messages that carry a stack trace; inside a report they end its title region. */
export const STACK_CARRYING_INFO: readonly string[] = [
  'vmalloc: allocation failure:',
  'FAULT_INJECTION: forcing a failure',
  'FAULT_FLAG_ALLOW_RETRY missing',
];

/** Printed when the console connection of a VM dropped: a report around it was cut. */
export const CONSOLE_HANGUP = 'serialport: VM disconnected.';
