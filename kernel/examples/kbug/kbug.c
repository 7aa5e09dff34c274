// SPDX-License-Identifier: GPL-2.0
/*
 * kbug: an out-of-tree module with bugs planted on purpose, for exercising rcdebug's debug
 * kernels end to end. The `bug` parameter chooses which bugs run (a comma-separated list of
 * none, uaf, leak, deadlock, race, atomic-sleep); they run once at load and again on every
 * write to /proc/kbug ("1" reruns the chosen bugs, a bug name or list runs those instead).
 *
 * Every bug lives in its own noinline function whose name becomes the guilty frame of the
 * report, so the findings get stable titles such as "KASAN: use-after-free Read in
 * kbug_uaf_read" or "memory leak in kbug_leak_alloc".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

/*
 * The bug functions must keep their names in reports: noinline keeps their frames, and
 * noipa stops gcc from cloning them into `kbug_uaf_read.isra.0` and the like.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define KBUG_FN noinline __attribute__((__noipa__))
#else
#define KBUG_FN noinline
#endif

static char *bug = "none";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "comma-separated bugs to run: none, uaf, leak, deadlock, race, atomic-sleep");

enum kbug_kind { KBUG_UAF, KBUG_LEAK, KBUG_DEADLOCK, KBUG_RACE, KBUG_ATOMIC_SLEEP, KBUG_COUNT };

static const char *const kbug_names[KBUG_COUNT] = {
	[KBUG_UAF] = "uaf",
	[KBUG_LEAK] = "leak",
	[KBUG_DEADLOCK] = "deadlock",
	[KBUG_RACE] = "race",
	[KBUG_ATOMIC_SLEEP] = "atomic-sleep",
};

static unsigned long kbug_chosen;
static unsigned long kbug_runs[KBUG_COUNT];
static DEFINE_MUTEX(kbug_run_lock);

/* --- use-after-free: read a field of a kmalloc object after kfree ----------------------- */

struct kbug_obj {
	int id;
	char name[60];
};

static KBUG_FN int kbug_uaf_read(void)
{
	struct kbug_obj *obj = kmalloc(sizeof(*obj), GFP_KERNEL);
	int id;

	if (!obj)
		return -ENOMEM;
	obj->id = 42;
	strscpy(obj->name, "kbug", sizeof(obj->name));
	kfree(obj);
	id = READ_ONCE(obj->id);
	return id;
}

/* --- leak: allocate and drop the only pointer ------------------------------------------- */

/*
 * Two buffers, back to back: kmemleak cannot see the leak of an object KFENCE sampled, as
 * KFENCE's metadata table (kfence_metadata[] in .bss on 6.1) keeps its address and kmemleak
 * scans .bss. KFENCE samples at most one allocation per interval (50 ms), so two made back to
 * back are not both hidden: one run of the bug shows the leak, as the validation run needs.
 */
static KBUG_FN void kbug_leak_alloc(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		char *p = kmalloc(128, GFP_KERNEL);

		if (p)
			strscpy(p, "kbug: nobody frees this", 128);
	}
}

/* --- lock-order inversion: A then B in one context, B then A in another ------------------ */

static DEFINE_MUTEX(kbug_lock_a);
static DEFINE_MUTEX(kbug_lock_b);

static KBUG_FN void kbug_lock_ab(void)
{
	mutex_lock(&kbug_lock_a);
	mutex_lock(&kbug_lock_b);
	mutex_unlock(&kbug_lock_b);
	mutex_unlock(&kbug_lock_a);
}

static KBUG_FN void kbug_lock_ba(void)
{
	mutex_lock(&kbug_lock_b);
	mutex_lock(&kbug_lock_a);
	mutex_unlock(&kbug_lock_a);
	mutex_unlock(&kbug_lock_b);
}

static void kbug_deadlock_work(struct work_struct *work)
{
	kbug_lock_ba();
}

static DECLARE_WORK(kbug_deadlock_wk, kbug_deadlock_work);

static KBUG_FN void kbug_deadlock(void)
{
	/* Never concurrently, so it never really deadlocks: lockdep reports the order. */
	kbug_lock_ab();
	schedule_work(&kbug_deadlock_wk);
	flush_work(&kbug_deadlock_wk);
}

/* --- data race: two kthreads update one counter without a lock --------------------------- */

static long kbug_race_counter;

static KBUG_FN void kbug_race_inc(void)
{
	kbug_race_counter++;
}

static KBUG_FN void kbug_race_dec(void)
{
	kbug_race_counter--;
}

struct kbug_racer {
	void (*step)(void);
	struct completion done;
};

static int kbug_race_thread(void *arg)
{
	struct kbug_racer *r = arg;
	unsigned long end = jiffies + HZ;
	unsigned long i = 0;

	while (time_before(jiffies, end)) {
		r->step();
		if (++i % 1024 == 0)
			cond_resched();
	}
	complete(&r->done);
	return 0;
}

static KBUG_FN void kbug_race(void)
{
	struct kbug_racer inc = { .step = kbug_race_inc };
	struct kbug_racer dec = { .step = kbug_race_dec };
	struct task_struct *t;

	init_completion(&inc.done);
	init_completion(&dec.done);
	/* One racer a CPU when there are two: the race is then truly concurrent. */
	t = kthread_create(kbug_race_thread, &inc, "kbug-race-inc");
	if (IS_ERR(t))
		return;
	if (num_online_cpus() > 1)
		kthread_bind(t, 0);
	wake_up_process(t);
	t = kthread_create(kbug_race_thread, &dec, "kbug-race-dec");
	if (IS_ERR(t)) {
		complete(&dec.done);
	} else {
		if (num_online_cpus() > 1)
			kthread_bind(t, 1);
		wake_up_process(t);
	}
	wait_for_completion(&inc.done);
	wait_for_completion(&dec.done);
}

/* --- sleeping in atomic context: a mutex taken under a spinlock -------------------------- */

static DEFINE_SPINLOCK(kbug_spin);
static DEFINE_MUTEX(kbug_sleep_lock);

static KBUG_FN void kbug_atomic_sleep(void)
{
	/*
	 * mutex_lock may sleep, so it checks might_sleep() first and reports even when the mutex
	 * is free; msleep would really schedule while atomic and corrupt the preempt count.
	 */
	spin_lock(&kbug_spin);
	mutex_lock(&kbug_sleep_lock);
	mutex_unlock(&kbug_sleep_lock);
	spin_unlock(&kbug_spin);
}

/* --- choosing and running bugs ---------------------------------------------------------- */

static void kbug_run_one(enum kbug_kind kind)
{
	pr_info("running bug %s\n", kbug_names[kind]);
	switch (kind) {
	case KBUG_UAF:
		kbug_uaf_read();
		break;
	case KBUG_LEAK:
		kbug_leak_alloc();
		break;
	case KBUG_DEADLOCK:
		kbug_deadlock();
		break;
	case KBUG_RACE:
		kbug_race();
		break;
	case KBUG_ATOMIC_SLEEP:
		kbug_atomic_sleep();
		break;
	default:
		return;
	}
	kbug_runs[kind]++;
}

static void kbug_run(unsigned long mask)
{
	int kind;

	mutex_lock(&kbug_run_lock);
	for (kind = 0; kind < KBUG_COUNT; kind++)
		if (mask & BIT(kind))
			kbug_run_one(kind);
	mutex_unlock(&kbug_run_lock);
}

/* Parses "uaf,leak" into a mask; -EINVAL names the first unknown word. */
static int kbug_parse(const char *text, unsigned long *mask)
{
	char *copy, *cur, *word;
	int kind, err = 0;

	copy = kstrdup(text, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	*mask = 0;
	cur = strim(copy);
	while ((word = strsep(&cur, ",")) != NULL) {
		word = strim(word);
		if (!*word || !strcmp(word, "none"))
			continue;
		kind = match_string(kbug_names, KBUG_COUNT, word);
		if (kind < 0) {
			pr_err("unknown bug '%s': choose from none, uaf, leak, deadlock, race, atomic-sleep\n", word);
			err = -EINVAL;
			break;
		}
		*mask |= BIT(kind);
	}
	kfree(copy);
	return err;
}

static ssize_t kbug_proc_write(struct file *file, const char __user *ubuf, size_t len, loff_t *pos)
{
	char buf[128];
	unsigned long mask;
	int err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (!strcmp(strim(buf), "1")) {
		mask = kbug_chosen;
	} else {
		err = kbug_parse(buf, &mask);
		if (err)
			return err;
	}
	kbug_run(mask);
	return len;
}

static int kbug_proc_show(struct seq_file *m, void *v)
{
	int kind;

	seq_printf(m, "chosen: %s\n", bug);
	for (kind = 0; kind < KBUG_COUNT; kind++)
		seq_printf(m, "%s: %lu runs\n", kbug_names[kind], kbug_runs[kind]);
	return 0;
}

static int kbug_proc_open(struct inode *inode, struct file *file)
{
	return single_open(file, kbug_proc_show, NULL);
}

static const struct proc_ops kbug_proc_ops = {
	.proc_open = kbug_proc_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
	.proc_write = kbug_proc_write,
};

static struct proc_dir_entry *kbug_proc;

static int __init kbug_init(void)
{
	int err = kbug_parse(bug, &kbug_chosen);

	if (err)
		return err;
	kbug_proc = proc_create("kbug", 0600, NULL, &kbug_proc_ops);
	if (!kbug_proc)
		return -ENOMEM;
	pr_info("loaded, bugs: %s\n", bug);
	kbug_run(kbug_chosen);
	return 0;
}

static void __exit kbug_exit(void)
{
	proc_remove(kbug_proc);
	flush_work(&kbug_deadlock_wk);
}

module_init(kbug_init);
module_exit(kbug_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Planted kernel bugs for rcdebug's debug kernels");

/*
 * --- KUnit suite `kbug`: runs when the module loads on a kernel with CONFIG_KUNIT ---------
 * Tests of the bug-list parser that pass, and planted_leak, which passes too but leaks through
 * kbug_leak_alloc: a validation run shows a passing suite with a kmemleak finding attached.
 */

#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/test.h>

static void kbug_test_parse_names(struct kunit *test)
{
	unsigned long mask = 0;

	KUNIT_EXPECT_EQ(test, kbug_parse("uaf, race", &mask), 0);
	KUNIT_EXPECT_EQ(test, mask, BIT(KBUG_UAF) | BIT(KBUG_RACE));
	KUNIT_EXPECT_EQ(test, kbug_parse("atomic-sleep", &mask), 0);
	KUNIT_EXPECT_EQ(test, mask, BIT(KBUG_ATOMIC_SLEEP));
}

static void kbug_test_parse_none(struct kunit *test)
{
	unsigned long mask = 1;

	KUNIT_EXPECT_EQ(test, kbug_parse("none", &mask), 0);
	KUNIT_EXPECT_EQ(test, mask, 0UL);
	KUNIT_EXPECT_EQ(test, kbug_parse("", &mask), 0);
	KUNIT_EXPECT_EQ(test, mask, 0UL);
}

static void kbug_test_parse_unknown(struct kunit *test)
{
	unsigned long mask;

	KUNIT_EXPECT_EQ(test, kbug_parse("uaf,bogus", &mask), -EINVAL);
}

/* Passes, and leaves the planted leak behind for kmemleak to report. */
static void kbug_test_planted_leak(struct kunit *test)
{
	unsigned long before = kbug_runs[KBUG_LEAK];

	kbug_run(BIT(KBUG_LEAK));
	KUNIT_EXPECT_EQ(test, kbug_runs[KBUG_LEAK], before + 1);
}

static struct kunit_case kbug_test_cases[] = {
	KUNIT_CASE(kbug_test_parse_names),
	KUNIT_CASE(kbug_test_parse_none),
	KUNIT_CASE(kbug_test_parse_unknown),
	KUNIT_CASE(kbug_test_planted_leak),
	{}
};

static struct kunit_suite kbug_test_suite = {
	.name = "kbug",
	.test_cases = kbug_test_cases,
};
kunit_test_suite(kbug_test_suite);
#endif
