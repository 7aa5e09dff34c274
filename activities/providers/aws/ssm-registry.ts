/**
 * The version registry on SSM Parameter Store: DESIGN.md's naming scheme, one String parameter
 * per field, `latest` and per-rc pointers holding `<kernel-release>/<input-digest>`. Every
 * `latest` move is a new parameter version labelled with the rc (or `rollback-...`), so
 * GetParameterHistory shows what was latest when. Parameters are tagged `rcdebug:*` so the
 * janitor finds them.
 */
import {
  AddTagsToResourceCommand,
  DeleteParametersCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  type SSMClient,
  type Tag,
} from '@aws-sdk/client-ssm';
import { aws, classifyAwsError } from './errors';
import type { CloudName, Flavor } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import {
  parseRecord,
  recordsOfTree,
  RECORD_FIELDS,
  flavorPrefix,
  latestPath,
  pointerValue,
  rcPointerPath,
  recordParameters,
  recordPrefix,
  type VersionRecord,
  type VersionRegistry,
} from '../../../src/domain/registry/scheme';

/** Characters SSM allows in one segment of a parameter name. */
const SEGMENT = /^[A-Za-z0-9_.-]+$/;

export interface SsmRegistryOptions {
  /** Extra tags on every parameter written (e.g. `rcdebug:cycle`). */
  tags?: Record<string, string> | undefined;
}

/** One version of the `latest` pointer. */
export interface PointerVersion {
  version: number;
  value: string;
  labels: string[];
  modifiedAt?: Date | undefined;
}

/** The SSM registry: the shared interface plus what the janitor needs. */
export interface SsmRegistry extends VersionRegistry {
  /** Every version the `latest` pointer had, oldest first. */
  latestHistory(cloud: CloudName, flavor: Flavor): Promise<PointerVersion[]>;
  /** Deletes a record's parameters and the rc pointers that point at it. Returns the names deleted. */
  deleteRecord(record: VersionRecord): Promise<string[]>;
}

/** An SSM label: letters, digits, `.`, `-`, `_`, not starting with a digit or `aws`/`ssm`, ≤100. */
export function ssmLabel(prefix: string, value: string): string {
  return `${prefix}-${value.replace(/[^A-Za-z0-9_.-]/g, '_')}`.slice(0, 100);
}

function checkSegments(fields: Record<string, string>): void {
  for (const [field, value] of Object.entries(fields)) {
    if (!SEGMENT.test(value)) {
      throw new UserError(
        `${field} ${JSON.stringify(value)} cannot be part of an SSM parameter name: only letters, digits, '.', '-' and '_' are allowed`,
        field,
        field === 'kernelRelease' ? 'set a LOCALVERSION without "+" (a dirty kernel tree appends one)' : undefined,
      );
    }
  }
}

/** The SSM registry on `ssm`. */
export function ssmRegistry(ssm: SSMClient, opts: SsmRegistryOptions = {}): SsmRegistry {
  /** Values of the given names (absent names are left out); GetParameters takes 10 at a time. */
  async function getMany(names: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < names.length; i += 10) {
      const batch = names.slice(i, i + 10);
      const res = await aws(`SSM GetParameters ${batch[0]}...`, () => ssm.send(new GetParametersCommand({ Names: batch })));
      for (const p of res.Parameters ?? []) if (p.Name && p.Value !== undefined) out.set(p.Name, p.Value);
    }
    return out;
  }

  /** Every parameter under `path`, following NextToken page by page. */
  async function getTree(path: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let token: string | undefined;
    do {
      const res = await aws(`SSM GetParametersByPath ${path}`, () =>
        ssm.send(new GetParametersByPathCommand({ Path: path, Recursive: true, MaxResults: 10, NextToken: token })),
      );
      for (const p of res.Parameters ?? []) if (p.Name && p.Value !== undefined) out.set(p.Name, p.Value);
      token = res.NextToken;
    } while (token);
    return out;
  }

  function tagsFor(r: VersionRecord): Tag[] {
    const tags: Record<string, string> = {
      'rcdebug:managed': 'true',
      'rcdebug:cloud': r.cloud,
      'rcdebug:flavor': r.flavor,
      'rcdebug:digest': r.inputDigest,
      'rcdebug:rc': r.rc,
      ...opts.tags,
    };
    return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  }

  /** Writes one parameter when its value changed (a retry adds no version); returns the new version. */
  async function put(name: string, value: string, current: Map<string, string>, tags: Tag[]): Promise<number | undefined> {
    if (current.get(name) === value) return undefined;
    // PutParameter refuses Tags together with Overwrite, so tags go in a second, idempotent call.
    const res = await aws(`SSM PutParameter ${name}`, () =>
      ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true })),
    );
    await aws(`SSM AddTagsToResource ${name}`, () =>
      ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: name, Tags: tags })),
    );
    return res.Version;
  }

  async function label(name: string, version: number | undefined, labels: string[]): Promise<void> {
    await aws(`SSM LabelParameterVersion ${name}`, () =>
      ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: version, Labels: labels })),
    );
  }

  async function readRecord(cloud: CloudName, flavor: Flavor, kernelRelease: string, inputDigest: string): Promise<VersionRecord | undefined> {
    const prefix = recordPrefix({ cloud, flavor, kernelRelease, inputDigest });
    const values = await getMany(RECORD_FIELDS.map((f) => `${prefix}/${f}`));
    return parseRecord(cloud, flavor, prefix, values);
  }

  async function byPointer(path: string, cloud: CloudName, flavor: Flavor): Promise<VersionRecord | undefined> {
    const value = (await getMany([path])).get(path);
    if (value === undefined) return undefined;
    const [kernelRelease, inputDigest, extra] = value.split('/');
    if (!kernelRelease || !inputDigest || extra !== undefined) {
      throw new InfraError(`registry pointer ${path} holds ${JSON.stringify(value)}, not <kernel-release>/<input-digest>`);
    }
    return readRecord(cloud, flavor, kernelRelease, inputDigest);
  }

  async function history(cloud: CloudName, flavor: Flavor): Promise<VersionRecord[]> {
    const base = flavorPrefix(cloud, flavor);
    return recordsOfTree(cloud, flavor, await getTree(base));
  }


  return {
    async publish(record) {
      checkSegments({ kernelRelease: record.kernelRelease, inputDigest: record.inputDigest, rc: record.rc });
      const fields = recordParameters(record);
      const latest = latestPath(record.cloud, record.flavor);
      const rcPointer = rcPointerPath(record.rc, record.cloud, record.flavor);
      const pointer = pointerValue(record);
      const current = await getMany([...Object.keys(fields), latest, rcPointer]);
      const tags = tagsFor(record);
      // Fields first, pointers last: a reader following a pointer always finds a whole record.
      for (const [name, value] of Object.entries(fields)) await put(name, value, current, tags);
      await put(rcPointer, pointer, current, tags);
      const version = await put(latest, pointer, current, tags);
      if (version !== undefined) await label(latest, version, [ssmLabel('rc', record.rc), ssmLabel('digest', record.inputDigest.slice(0, 40))]);
      return { paths: [...Object.keys(fields), rcPointer, latest], latest, rcPointer };
    },

    async findByDigest(cloud, flavor, inputDigest) {
      return (await history(cloud, flavor)).find((r) => r.inputDigest === inputDigest);
    },

    latest(cloud, flavor) {
      return byPointer(latestPath(cloud, flavor), cloud, flavor);
    },

    forRc(rc, cloud, flavor) {
      return byPointer(rcPointerPath(rc, cloud, flavor), cloud, flavor);
    },

    history,

    async rollback(cloud, flavor, inputDigest) {
      const target = (await history(cloud, flavor)).find((r) => r.inputDigest === inputDigest);
      if (!target) {
        throw new UserError(`no ${cloud}/${flavor} record has input digest ${inputDigest}: pick one from \`rcdebug janitor registry --flavor ${flavor}\``, 'inputDigest');
      }
      const latest = latestPath(cloud, flavor);
      const current = await getMany([latest]);
      const version = await put(latest, pointerValue(target), current, tagsFor(target));
      if (version !== undefined) await label(latest, version, [ssmLabel('rollback', new Date().toISOString().replace(/[:]/g, ''))]);
    },

    async latestHistory(cloud, flavor) {
      const name = latestPath(cloud, flavor);
      const out: PointerVersion[] = [];
      let token: string | undefined;
      try {
        do {
          const res = await ssm.send(new GetParameterHistoryCommand({ Name: name, MaxResults: 50, NextToken: token }));
          for (const p of res.Parameters ?? []) {
            out.push({ version: p.Version ?? 0, value: p.Value ?? '', labels: p.Labels ?? [], modifiedAt: p.LastModifiedDate });
          }
          token = res.NextToken;
        } while (token);
      } catch (err) {
        if ((err as Error).name === 'ParameterNotFound') return [];
        throw classifyAwsError(err, `SSM GetParameterHistory ${name}`);
      }
      return out.sort((a, b) => a.version - b.version);
    },

    async deleteRecord(record) {
      const names = Object.keys(recordParameters(record));
      // rc pointers to the record would dangle: find them under /rcdebug/rc and delete them too.
      const rcTree = await getTree('/rcdebug/rc');
      const suffix = `/${record.cloud}/${record.flavor}`;
      for (const [name, value] of rcTree) if (name.endsWith(suffix) && value === pointerValue(record)) names.push(name);
      const deleted: string[] = [];
      for (let i = 0; i < names.length; i += 10) {
        const batch = names.slice(i, i + 10);
        const res = await aws(`SSM DeleteParameters ${batch[0]}...`, () => ssm.send(new DeleteParametersCommand({ Names: batch })));
        deleted.push(...(res.DeletedParameters ?? []));
      }
      return deleted;
    },
  };
}
