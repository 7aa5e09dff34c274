/**
 * One report the parser found in a kernel log.
 */
export interface KernelReport {
  /** syzkaller-style title, normalised (`KASAN: use-after-free Read in kbug_init`). */
  title: string;
  /** Other titles of the same bug, used to match it across architectures and kernels. */
  alternativeTitles: string[];
  /** Report class (`KASAN-USE-AFTER-FREE-READ`, `LEAK`, `LOCKDEP`, `HANG`, `WARNING`, ...). */
  type: string;
  /** The guilty function, empty when the title names none. */
  frame: string;
  /** The report is damaged (cut off, interleaved) and its title may be wrong. */
  corrupted: boolean;
  /** Why it is considered damaged; empty when it is not. */
  corruptedReason: string;
  /** 1-based line of the report's header in the log. */
  startLine: number;
  /** 1-based last line of the report in the log. */
  endLine: number;
  /** The report's text without console prefixes, with a few lines of context before it. */
  report: string;
}
