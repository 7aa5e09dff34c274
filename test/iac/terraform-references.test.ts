/**
 * `tofu validate` needs the AWS provider, which cannot be downloaded here, so the checks it
 * would make on names are made by reading the files: every variable, local, resource, data
 * source, module and module output referenced exists, every module input is a variable of the
 * module and every required one is given, and no variable is declared for nothing. Provider
 * schemas (attribute names of aws_* resources) stay unchecked offline.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/domain/paths';

interface Block {
  kind: string;
  labels: string[];
  body: string;
}

interface Config {
  dir: string;
  text: string;
  blocks: Block[];
}

/** Top-level blocks of the .tf files of a directory (tofu fmt keeps them at column 0). */
function load(dir: string): Config {
  const text = readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');
  const blocks: Block[] = [];
  for (const m of text.matchAll(/^(resource|data|module|variable|output|locals|provider|terraform)((?:\s+"[^"]*")*)\s*\{/gm)) {
    let depth = 0;
    let end = m.index;
    for (let i = m.index + m[0].length - 1; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) {
        end = i;
        break;
      }
    }
    blocks.push({ kind: m[1] ?? '', labels: [...(m[2] ?? '').matchAll(/"([^"]*)"/g)].map((l) => l[1] ?? ''), body: text.slice(m.index + m[0].length, end) });
  }
  return { dir, text, blocks };
}

const names = (c: Config, kind: string) => new Set(c.blocks.filter((b) => b.kind === kind).map((b) => b.labels.join('.')));
/** Attributes at the first level of a block body (two spaces in, as tofu fmt writes them). */
const attributes = (body: string) => new Set([...body.matchAll(/^ {2}([a-z_][a-z0-9_]*)\s*=/gm)].map((m) => m[1] ?? ''));
const refs = (text: string, re: RegExp) => new Set([...text.matchAll(re)].map((m) => m.slice(1).join('.')));

/** `aws_x.y` references (not `data.aws_x.y`) that name no resource of the configuration. */
function unknownResources(c: Config): string[] {
  const resources = names(c, 'resource');
  return [...refs(c.text.replace(/\bdata\.aws_[a-z0-9_]+\.[a-z0-9_]+/g, ''), /\b(aws_[a-z0-9_]+)\.([a-z_][a-z0-9_]*)\b/g)].filter((r) => !resources.has(r));
}

const stack = load(join(repoRoot, 'terraform', 'aws'));
const loaded = new Map<string, Config>();
const modules = new Map<string, Config>();
for (const m of stack.blocks.filter((b) => b.kind === 'module')) {
  const dir = resolve(stack.dir, /^ {2}source\s*=\s*"([^"]+)"/m.exec(m.body)?.[1] ?? '');
  if (!loaded.has(dir)) loaded.set(dir, load(dir));
  modules.set(m.labels[0] ?? '', loaded.get(dir) as Config);
}
const configs = [stack, ...loaded.values()];

describe.each(configs.map((c) => [c.dir.slice(repoRoot.length + 1), c] as const))('%s', (_name, c) => {
  it('references only variables it declares, and uses every one it declares', () => {
    const declared = names(c, 'variable');
    const used = refs(c.text, /\bvar\.([a-z_][a-z0-9_]*)/g);
    for (const v of used) expect(declared, `var.${v}`).toContain(v);
    for (const v of declared) expect(used, `variable "${v}" is never used`).toContain(v);
  });

  it('references only locals it defines', () => {
    const defined = new Set(c.blocks.filter((b) => b.kind === 'locals').flatMap((b) => [...attributes(b.body)]));
    for (const l of refs(c.text, /\blocal\.([a-z_][a-z0-9_]*)/g)) expect(defined, `local.${l}`).toContain(l);
  });

  it('references only resources and data sources it declares', () => {
    expect(unknownResources(c)).toEqual([]);
    const data = names(c, 'data');
    for (const d of refs(c.text, /\bdata\.(aws_[a-z0-9_]+)\.([a-z_][a-z0-9_]*)/g)) expect(data, `data.${d}`).toContain(d);
  });
});

describe('module calls of terraform/aws', () => {
  it.each([...modules.keys()])('module "%s" gets only inputs the module declares, and all it requires', (name) => {
    const mod = modules.get(name);
    const call = stack.blocks.find((b) => b.kind === 'module' && b.labels[0] === name);
    if (!mod || !call) throw new Error(`module ${name} not found`);
    const given = new Set([...attributes(call.body)].filter((a) => !['source', 'depends_on', 'count', 'for_each', 'providers'].includes(a)));
    const declared = mod.blocks.filter((b) => b.kind === 'variable');
    for (const g of given) expect(declared.map((d) => d.labels[0]), `input ${g}`).toContain(g);
    for (const v of declared.filter((d) => !attributes(d.body).has('default'))) expect(given, `required input ${v.labels[0]}`).toContain(v.labels[0]);
  });

  it('reads only outputs the modules have', () => {
    for (const ref of refs(stack.text, /\bmodule\.([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)/g)) {
      const [name = '', output = ''] = ref.split('.');
      expect([...modules.keys()], `module.${name}`).toContain(name);
      expect(names(modules.get(name) as Config, 'output'), `module.${ref}`).toContain(output);
    }
  });
});

describe('the checker itself', () => {
  it('notices a misspelt reference', () => {
    const c = { ...stack, text: `${stack.text}\noutput "typo" {\n  value = aws_vpc.thiss.id\n}\n` };
    expect(unknownResources(c)).toEqual(['aws_vpc.thiss']);
  });
});
