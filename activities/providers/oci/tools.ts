/** packer, terraform (OpenTofu by default) and helm of the oci steps: `$RCDEBUG_PACKER`, ... first, then the tool table. */
import { toolFromEnvOrTable } from '../../exec/tool-path';

const ROWS = { packer: ['RCDEBUG_PACKER', 'packer'], terraform: ['RCDEBUG_TERRAFORM', 'tofu'], helm: ['RCDEBUG_HELM', 'helm'] } as const;

export function toolPath(tool: keyof typeof ROWS): string {
  const [envVar, tableName] = ROWS[tool];
  return toolFromEnvOrTable(envVar, tableName);
}
