import type { Command } from 'commander';
import { loadPlugins } from '../../../../activities/plugins';
import { connectClient, settingsFromEnv } from '../../../../activities/temporal-connection';
import { printJson, table } from '../output';
import { describeTools } from '../../../../scripts/toolchain.mjs';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('every tool rcdebug uses: version, where it was found, which clouds need it, and how to install it if missing')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) => {
      // Each cloud's plugin names the tools its steps run; the others serve every cloud.
      const plugins = await loadPlugins();
      const tools = describeTools().map((t) => {
        const clouds = plugins.filter((p) => p.doctorTools.includes(t.name)).map((p) => p.cloud);
        return { ...t, clouds: clouds.length ? clouds : ['all'] };
      });
      const settings = settingsFromEnv();
      let temporal: string;
      try {
        const client = await connectClient(settings);
        await client.connection.close();
        temporal = `reachable at ${settings.address} (namespace ${settings.namespace})`;
      } catch (err) {
        temporal = `NOT reachable at ${settings.address}: start one with \`rcdebug dev\` or set TEMPORAL_ADDRESS`;
        void err;
      }
      if (o.json) {
        printJson({ tools, temporal });
        return;
      }
      process.stdout.write(
        `${table(
          ['tool', 'for', 'clouds', 'version', 'found', 'to install'],
          tools.map((t) => [t.name, t.purpose, t.clouds.join(', '), t.version ?? '', t.path ? `${t.path} (${t.source})` : 'MISSING', t.path ? '' : t.howToInstall]),
        )}\nTemporal: ${temporal}\n`,
      );
      if (tools.some((t) => !t.path)) process.exitCode = 1;
    });
}
