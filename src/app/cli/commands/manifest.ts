import type { Command } from 'commander';
import { loadManifestFor } from '../../../../activities/cycle-manifest';
import { UserError, formatIssues } from '../../../domain/errors';
import { printJson } from '../output';
import { parseClouds } from '../../../../activities/plugins';

export function registerManifestCommands(program: Command): void {
  const manifest = program.command('manifest').description('deployment manifests');
  manifest
    .command('validate <file>')
    .description('check a manifest: shape, unknown keys, names Helm, Kubernetes and the clouds accept, values files')
    .option('--clouds <list>', 'check it for cycles on these clouds (their section must be there); default: the clouds it has sections for')
    .option('--json', 'print errors and warnings as JSON')
    .action(async (file: string, o: { clouds?: string; json?: boolean }) => {
      const r = await loadManifestFor(file, o.clouds === undefined ? undefined : parseClouds(o.clouds));
      if (o.json) printJson({ valid: Boolean(r.manifest), errors: r.errors, warnings: r.warnings });
      else {
        for (const w of r.warnings) process.stderr.write(`warning: ${w.field}: ${w.message}\n`);
        if (r.manifest) process.stdout.write(`${file}: valid\n`);
      }
      if (!r.manifest) {
        if (o.json) process.exitCode = 2;
        else throw new UserError(formatIssues(`${file} is invalid`, r.errors), r.errors[0]?.field);
      }
    });
}
