import type { Command } from 'commander';
import { UserError, formatIssues } from '../../../domain/errors';
import { loadManifest } from '../../../domain/manifest';
import { printJson } from '../output';

export function registerManifestCommands(program: Command): void {
  const manifest = program.command('manifest').description('deployment manifests');
  manifest
    .command('validate <file>')
    .description('check a manifest: shape, unknown keys, names Helm and Kubernetes accept, values files')
    .option('--json', 'print errors and warnings as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const r = await loadManifest(file);
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
