import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { manifestJsonSchemaPath, manifestJsonSchemaText, writeManifestJsonSchema } from '../../src/domain/manifest/json-schema';

// The JSON Schema for editors is generated from the zod schema; this pins the checked-in file
// to it. After changing the schema: RCDEBUG_UPDATE_SCHEMA=1 npx vitest run test/manifest
it('manifests/manifest.schema.json is the one generated from the zod schema', async () => {
  if (process.env.RCDEBUG_UPDATE_SCHEMA === '1') await writeManifestJsonSchema();
  const onDisk = readFileSync(manifestJsonSchemaPath, 'utf8');
  expect(onDisk, 'regenerate with RCDEBUG_UPDATE_SCHEMA=1 npx vitest run test/manifest').toBe(manifestJsonSchemaText());
});

it('the generated schema refuses unknown keys and carries the name patterns', () => {
  const schema = JSON.parse(manifestJsonSchemaText()) as {
    additionalProperties: boolean;
    properties: { workloadCluster: { properties: { deployments: { propertyNames: { maxLength: number }; additionalProperties: { additionalProperties: boolean; required: string[] } } } } };
  };
  expect(schema.additionalProperties).toBe(false);
  const deployments = schema.properties.workloadCluster.properties.deployments;
  expect(deployments.propertyNames.maxLength).toBe(53);
  expect(deployments.additionalProperties.additionalProperties).toBe(false);
  expect(deployments.additionalProperties.required).toEqual(['chart', 'version', 'registry', 'namespace']);
});
