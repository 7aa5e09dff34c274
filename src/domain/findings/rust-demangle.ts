/**
 * Readable names for Rust symbols in kernel stacks (Rust "v0" mangling, `_R...`), so a Rust
 * frame is titled `<rust_binder::process::Process>::update_ref` rather than by its mangled
 * name. Paths, impls and basic types are decoded; a symbol using anything else is returned
 * unchanged.
 */

const BASIC_TYPES: Record<string, string> = {
  a: 'i8', b: 'bool', c: 'char', d: 'f64', e: 'str', f: 'f32', h: 'u8', i: 'isize', j: 'usize', l: 'i32',
  m: 'u32', n: 'i128', o: 'u128', s: 'i16', t: 'u16', u: '()', v: '...', x: 'i64', y: 'u64', z: '!', p: '_',
};

class Unsupported extends Error {}

class Demangler {
  private pos = 0;
  private depth = 0;

  constructor(private readonly s: string) {}

  private peek(): string {
    return this.s[this.pos] ?? '';
  }

  private next(): string {
    const c = this.s[this.pos++];
    if (c === undefined) throw new Unsupported('end of symbol');
    return c;
  }

  private eat(c: string): boolean {
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  /** `_` is 0; otherwise base-62 digits then `_`, value plus one. */
  private base62(): number {
    if (this.eat('_')) return 0;
    let n = 0;
    for (;;) {
      const c = this.next();
      if (c === '_') return n + 1;
      const d = /[0-9]/.test(c) ? c.charCodeAt(0) - 48 : /[a-z]/.test(c) ? c.charCodeAt(0) - 87 : /[A-Z]/.test(c) ? c.charCodeAt(0) - 29 : -1;
      if (d < 0) throw new Unsupported(`bad base-62 digit ${c}`);
      n = n * 62 + d;
    }
  }

  private disambiguator(): void {
    if (this.eat('s')) this.base62();
  }

  private identifier(): string {
    this.disambiguator();
    if (this.eat('u')) throw new Unsupported('punycode identifier');
    const digits = /^[0-9]+/.exec(this.s.slice(this.pos))?.[0];
    if (!digits) throw new Unsupported('identifier without length');
    this.pos += digits.length;
    this.eat('_');
    const name = this.s.slice(this.pos, this.pos + Number(digits));
    this.pos += Number(digits);
    return name;
  }

  /** Decodes whatever starts at the back-reference target, then returns here. */
  private backref<T>(decode: () => T): T {
    const target = this.base62();
    const saved = this.pos;
    if (++this.depth > 64) throw new Unsupported('back-references too deep');
    this.pos = target;
    try {
      return decode();
    } finally {
      this.pos = saved;
      this.depth--;
    }
  }

  path(): string {
    const tag = this.next();
    switch (tag) {
      case 'C':
        return this.identifier();
      case 'M': {
        this.disambiguator();
        this.path();
        return `<${this.type()}>`;
      }
      case 'X': {
        this.disambiguator();
        this.path();
        const self = this.type();
        return `<${self} as ${this.path()}>`;
      }
      case 'Y': {
        const self = this.type();
        return `<${self} as ${this.path()}>`;
      }
      case 'N': {
        const ns = this.next();
        const parent = this.path();
        const name = this.identifier();
        if (ns === 'C') return `${parent}::{closure}`;
        if (ns >= 'A' && ns <= 'Z') return `${parent}::{shim}`;
        return `${parent}::${name}`;
      }
      case 'I': {
        const base = this.path();
        const args: string[] = [];
        while (!this.eat('E')) args.push(this.type());
        return `${base}::<${args.join(', ')}>`;
      }
      case 'B':
        return this.backref(() => this.path());
      default:
        throw new Unsupported(`path tag ${tag}`);
    }
  }

  type(): string {
    const c = this.peek();
    const basic = BASIC_TYPES[c];
    if (basic !== undefined) {
      this.pos++;
      return basic;
    }
    if (c === 'B') {
      this.pos++;
      return this.backref(() => this.type());
    }
    if (c === 'R' || c === 'Q') {
      this.pos++;
      return `&${c === 'Q' ? 'mut ' : ''}${this.type()}`;
    }
    if (c === 'S') {
      this.pos++;
      return `[${this.type()}]`;
    }
    return this.path();
  }
}

/** The readable form of a Rust v0 symbol (`_R...`); anything else is returned as it is. */
export function demangleRust(symbol: string): string {
  if (!symbol.startsWith('_R')) return symbol;
  try {
    // Back-references count from just after the `_R` prefix.
    return new Demangler(symbol.slice(2)).path();
  } catch (err) {
    if (err instanceof Unsupported) return symbol;
    throw err;
  }
}
