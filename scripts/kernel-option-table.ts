// Writes the option table of docs/kernel.md from kernel/options.list and each flavor's real
// final .config (configured, not compiled):  npx tsx scripts/kernel-option-table.ts
import { readFile, writeFile } from 'node:fs/promises';
import { OPTION_TABLE_DOC, currentOptionTable } from '../activities/providers/local/kernel-option-table';
import { withOptionTable } from '../activities/providers/local/kernel-options';
import { cacheDir } from '../src/domain/paths';

async function main(): Promise<void> {
  const table = await currentOptionTable({ cacheDir: cacheDir() });
  await writeFile(OPTION_TABLE_DOC, withOptionTable(await readFile(OPTION_TABLE_DOC, 'utf8'), table));
  console.log(table);
}

void main();
