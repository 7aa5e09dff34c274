/**
 * What a kernel stack trace looks like, and which of its frames never name a bug: the frames
 * of the sanitizers, the reporting machinery, allocators, locking primitives and other helpers
 * that sit on top of almost every stack. The guilty frame is the first one left after these.
 */
import { compilePattern } from './patterns';

/** Lines that open a stack trace; a report that has one must also have frames after it. */
export const STACK_START_RES: readonly RegExp[] = [
  /Call (?:T|t)race/,
  /Allocated:/,
  /Allocated by task [0-9]+:/,
  /Freed:/,
  /Freed by task [0-9]+:/,
  // `backtrace:` of kmemleak (with its optional crc), but not lockdep's `stack backtrace:`.
  /[^k] backtrace(?: \(crc [0-9a-fA-F]*\))?:/,
  /Backtrace:/,
  /Uninit was stored to memory at/,
];

/** Lines holding one frame; the capture groups are function names. */
export const FRAME_RES: readonly RegExp[] = [
  compilePattern('^ *(?:{{PC}} ){0,2}{{FUNC}}'),
  // arm prints "caller (name) from callee (name)"; both are frames.
  compilePattern('^ *{{PC}} \\(([a-zA-Z0-9_.]+)\\) from {{PC}} \\({{FUNC}}'),
];

/** Frames of fault injection: a report that crosses them is mixed with another stack. */
export const CORRUPTING_LINES: readonly RegExp[] = [
  compilePattern('^( \\[\\<?(?:0x)?[0-9a-f]+\\>?\\])? should_fail(slab)?(\\.[a-z0-9.]+)?\\+0x'),
];

/** Prefixes of syscall entry points that differ between architectures and kernel versions. */
export const FRAME_PREFIXES: readonly string[] = [
  'SYSC_', 'SyS_', 'sys_', '__x64_', '__ia32_', '__arm64_', '____sys_', '___sys_', '__sys_',
  '__se_', '__se_sys_', '__do_sys_', 'compat_SYSC_', 'compat_SyS_', 'ksys_',
];

/** Function-name patterns (regexp, unanchored unless written so) skipped in every stack. */
export const SKIP_FRAMES: readonly string[] = [
  // sanitizers and the reporting path
  '__sanitizer', '__asan', 'kasan', 'hwasan', '__msan', 'kmsan', 'kcsan_setup_watchpoint',
  'check_memory_region', 'check_heap_object', 'check_object', 'read_word_at_a_time',
  '(read|write)_once_.*nocheck', 'print_address_description', 'panic', 'invalid_op', 'report_bug',
  'fixup_bug', 'print_report', 'print_usage_bug', 'do_error', '_trap$|do_trap', 'show_stack',
  'dump_stack', 'walk_stack', 'dump_backtrace', 'warn_slowpath', 'warn_alloc', 'warn_bogus',
  '__warn', 'print_tainted', '__fortify_report', 'stack_trace_consume_entry', 'arch_stack_walk',
  'stack_trace_save', 'hex_dump_to_buffer', 'print_hex_dump', 'assertfail', '^get_taint$',
  // allocators and the page cache
  'alloc_page', 'k?v?(?:m|z|c)alloc', 'krealloc', 'kmem_cache', 'allocate_slab',
  '__alloc_frozen_pages_noprof', 'folio_(?:alloc|unlock)', 'filemap_alloc_folio',
  '__filemap_get_folio', 'find_or_create_page', 'do_read_cache_folio', 'read_cache_page',
  'pagecache_get_page', 'grab_cache_page_write_begin', 'slab_', '^kv?free$', 'kfree_skb',
  'xas_(?:start|load|find)', 'find_lock_entries', 'truncate_inode_pages_range', '__phys_addr',
  '^(un)?lock_page', 'mark_buffer_dirty',
  // debug objects, lockdep and locking primitives
  'debug_object', 'timer_is_static_object', 'work_is_static_object', 'print_unlock',
  'imbalance_bug', 'lockdep', 'bh_enable', 'bh_disable', 'perf_trace', 'lock_acquire',
  'lock_release', 'lock_class', 'mark_lock', '(reacquire|mark)_held_locks', 'raw_spin_rq',
  'spin_lock', 'spin_trylock', 'spin_unlock', 'read_lock', 'read_trylock', 'write_lock',
  'write_trylock', 'read_unlock', 'write_unlock', '^down$', 'down_read', 'down_write',
  'down_read_trylock', 'down_write_trylock', 'down_trylock', 'up_read', 'up_write', '^mutex_',
  '^__mutex_', '^rt_mutex_', 'owner_on_cpu', 'osq_lock', 'osq_unlock',
  '(trace|lockdep)_(hard|soft)irq', 'lock_timer_base',
  // atomics, bit and reference helpers
  'atomic(64)?_(dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)',
  '(set|clear|change|test)_bit', '__wake_up', '^refcount_', '^kref_', 'ref_tracker',
  'seqprop_assert', 'ida_free',
  // string, memory and user-copy helpers
  'memcpy', 'memcmp', 'memset', 'memchr', 'memmove', 'memdup', 'strcmp', 'strncmp', 'strcpy',
  'strlcpy', 'strncpy', 'strscpy', 'strlen', 'strstr', 'strnstr', 'strnlen', 'strchr', 'strdup',
  'strndup', 'copy_to_user', 'copy_from_user', 'copy_to_iter', 'copy_from_iter',
  'copy_page_to_iter', 'copy_page_from_iter', 'copy_folio_to_iter', '^copyin$', '^copyout$',
  'put_user', 'get_user', 'might_fault', 'might_sleep', '__might_resched', 'extract_(user|iter)_to_sg',
  // lists and trees
  'list_add', 'list_del', 'list_replace', 'list_move', 'list_splice', '^rb_', '^__rb_', '^klist_',
  'rhashtable_lookup',
  // printing
  '_indirect_thunk_', 'string', 'pointer', 'snprintf', 'scnprintf', 'kasprintf', 'kvasprintf',
  'printk', 'va_format', 'dev_info', 'dev_notice', 'dev_warn', 'dev_err', 'dev_alert', 'dev_crit',
  'dev_emerg',
  // architecture exception paths
  'program_check_exception', 'program_check_common', 'do_(kernel|translation)_fault',
  'do_mem_abort', 'el1_abort', 'el1h_64_sync(?:_handler)?',
  // timers, workqueues and completion
  'del_timer', 'flush_work', '__cancel_work_timer', 'cancel_work_sync', 'try_to_grab_pending',
  'flush_workqueue', 'drain_workqueue', 'destroy_workqueue', 'queue_work', 'finish_wait',
  'kthread_stop', 'insert_work', '__queue_delayed_work', 'queue_delayed_work_on',
  '__timer_delete_sync', 'sk_stop_timer_sync', '__mod_timer', '^complete$', 'wait_for_completion',
  'cleanup_srcu_struct',
  // driver core and generic teardown
  'kobject_', 'add_uevent_var', 'get_device_parent', 'device_add', 'device_del',
  'device_unregister', 'device_destroy', 'device_release', 'devres_release_all',
  'hwrng_unregister', 'i2c_del_adapter', '__unregister_client', 'device_for_each_child',
  'rollback_registered', 'unregister_netdev', 'sysfs_remove', 'device_remove_file',
  'tty_unregister_device', '^put_device$', 'dummy_urb_enqueue', 'usb_kill_urb',
  'usb_kill_anchored_urbs', 'usb_control_msg', 'usb_hcd_submit_urb', 'usb_submit_urb',
  // I/O accessors, checksums and VFS reference helpers
  'readb$', 'readw$', 'readl$', 'readq$', 'writeb$', 'writew$', 'writel$', 'writeq$', 'logic_in',
  'logic_out', '^crc\\d+', 'crc_itu_t', '^iput$', '^iput_final$', '^ihold$', 'drop_nlink',
  'fast_dput', 'dput',
];

/**
 * Functions that dispatch work (syscall entry, softirq, timers, workqueues, file and socket
 * operations). A stall loops somewhere above one of them; the frame just above the anchor
 * is a stable name for the stall.
 */
const STALL_ANCHORS: readonly RegExp[] = [
  'process_one_work', 'do_syscall_', 'do_fast_syscall_', 'sysenter_dispatch', 'tracesys_phase2',
  'el0_svc_handler', 'invoke_syscall', 'ret_fast_syscall', 'netif_receive_skb', 'do_softirq',
  'call_timer_fn', '_run_timers', 'run_timer_softirq', 'hrtimer_run', 'run_ksoftirqd',
  'smpboot_thread_fn', '^kthread$', 'start_secondary', 'cpu_startup_entry', 'ret_from_fork',
  'vfs_write', 'vfs_read', 'vfs_iter_read', 'vfs_iter_write', 'do_iter_read', 'do_iter_write',
  'call_read_iter', 'call_write_iter', 'new_sync_read', 'new_sync_write', 'vfs_ioctl', 'ksys_ioctl',
  'compat_ioctl', 'compat_sys_ioctl', 'blkdev_driver_ioctl', 'blkdev_ioctl',
  'do_iter_readv_writev', '^call_mmap', 'mmap_region', 'do_mmap', 'do_dentry_open', 'vfs_open',
  '^sock_sendmsg', '^sock_recvmsg', '^sock_release', '^__sock_release', '^setsockopt$',
  'kernel_setsockopt', 'sock_common_setsockopt', '^listen$', 'kernel_listen', 'sk_common_release',
  '^sock_mmap', '^accept$', 'kernel_accept', '^sock_do_ioctl', '^sock_ioctl', '^compat_sock_ioctl',
  '^nfnetlink_rcv_msg', '^rtnetlink_rcv_msg', '^netlink_dump', '^(sys_)?(socketpair|connect|ioctl)',
  '__do_fault', 'do_page_fault', '^page_fault$', '__fput', 'task_work_run', 'exit_to_usermode',
  'smp_call_function', 'tasklet_action', 'tasklet_hi_action',
].map((s) => new RegExp(s));

/** The guilty frame of one stack: its index among the frames and the name it is reported under. */
export interface PickedFrame { index: number; name: string }

/** Picks the guilty frame among the (prefix-stripped) frames of one stack. */
export type FrameExtractor = (frames: readonly string[]) => PickedFrame | undefined;

/** Stalls and lockups: the frame just above the first dispatch anchor. */
export const stallFrame: FrameExtractor = (frames) => {
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i] ?? '';
    if (STALL_ANCHORS.some((re) => re.test(frame))) {
      // smp_call_function has many callers; the anchor itself is the better name.
      if (frame.includes('smp_call_function')) return { index: i, name: 'smp_call_function' };
      const prev = i === 0 ? 0 : i - 1;
      return { index: prev, name: frames[prev] ?? frame };
    }
  }
  return undefined;
};

/** The frames a hung task waits in; the first frame after them is what it waits for. */
const HANG_WAITS = [
  'sched', '_lock', '_slowlock', 'down', 'rwsem', 'completion', 'kthread', 'wait', 'synchronize',
  'context_switch', '__switch_to', 'cancel_delayed_work', 'rcu_barrier',
];

/** Hung tasks: group the common waits (rtnl_lock, synchronize_rcu), else the first non-wait. */
export const hangFrame: FrameExtractor = (frames) => {
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i] ?? '';
    if (frame.includes('rtnl_lock')) return { index: i, name: frame };
    // Every synchronize_* wait is one bucket: they all hang when RCU itself is stuck.
    if (/synchronize_(rcu|srcu|net|sched)/.test(frame)) return { index: i, name: 'synchronize_rcu' };
  }
  const index = frames.findIndex((f) => !HANG_WAITS.some((w) => f.includes(w)));
  return index < 0 ? undefined : { index, name: frames[index] ?? '' };
};

/** Strips the arch/version-specific syscall prefix: the shortest result wins. */
export function stripFramePrefix(frame: string): string {
  let best = frame;
  for (const p of FRAME_PREFIXES) {
    if (frame.startsWith(p) && frame.length - p.length < best.length) best = frame.slice(p.length);
  }
  return best;
}
