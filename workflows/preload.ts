/**
 * Libraries the workflow sandbox loads once per worker thread and shares between workflows
 * (the bundler's `preloadModules`). Without this, every workflow evaluates zod's modules
 * again when it starts.
 *
 * The worker freezes what it preloads. zod keeps global defaults (locale, memoizer, whether
 * eval is allowed) that it sets lazily on first use, so one schema is built and used here,
 * while writing is still allowed. Only stateless libraries belong here, never a module that
 * builds objects the workflows use later.
 */
import { z } from 'zod';

z.object({ n: z.number().int().min(0).default(0), s: z.enum(['a']).optional() }).strict().partial().safeParse({ n: 1 });

export { z };
