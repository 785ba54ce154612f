/**
 * Where the per-rule values of generated code come from. The same rule code is written in
 * two forms:
 *  - specialised: constants as literals, objects as closure parameters, chain calls by
 *    name; extensions may inline their compileMatch. Fastest once optimised, but every
 *    rule and chain is its own function.
 *  - slotted (a template): every per-rule value read from the table's data array `D` at
 *    the instance's offset `o` (`D[o + 3]`), so rules and chains of the same structure
 *    produce the same text and share one function; an instance's values lie together in
 *    one array, a cache line or two, with nothing else to dereference.
 *    Thousands of kube-proxy chains then run through a handful of functions that V8
 *    optimises, where thousands of functions each called once in a while would stay in its
 *    bytecode interpreter (which also allocates a heap number per counter update).
 */
import { code, literal, type Code, type Scope } from './builder.js';

export interface Emit {
  /** true: literals and parameters; extensions may inline (compileMatch). */
  readonly specialised: boolean;
  /** A per-rule number, string or boolean. */
  value(v: number | string | boolean): Code;
  /** A per-rule object (an extension's state, its instance). */
  object(v: unknown): Code;
  /** A match or target extension whose function the rule calls. */
  extension(ext: { name: string; kind: string }): Code;
  /** A call of the chain's function, `(pkt, chain data)`; evaluates to its verdict. */
  callChain(name: string): Code;
}

/** How a chain is called: its function, and for a template the offset of the chain's data. */
export interface ChainRef {
  fn: Code;
  base: number | undefined;
}

export class SpecialisedEmit implements Emit {
  readonly specialised = true;

  constructor(
    private readonly scope: Scope,
    private readonly chains: ReadonlyMap<string, ChainRef>,
  ) {}

  value(v: number | string | boolean): Code {
    return literal(v);
  }

  object(v: unknown): Code {
    return v === undefined ? code`undefined` : this.scope.param(v, 's');
  }

  extension(ext: { name: string; kind: string }): Code {
    return this.scope.param(ext);
  }

  callChain(name: string): Code {
    const ref = this.chains.get(name)!;
    return ref.base === undefined ? code`${ref.fn}(pkt)` : code`${ref.fn}(pkt, ${ref.base})`;
  }
}

/** A chain reference left in the data array, resolved once the functions exist. */
export interface ChainSlot {
  /** D[index] gets the chain's function, D[index + 1] its data offset. */
  index: number;
  chain: string;
}

/** Collects one instance's values; placed in the table's data array by place(). */
export class SlotEmit implements Emit {
  readonly specialised = false;
  private readonly values: unknown[] = [];
  private readonly chains: ChainSlot[] = [];
  /**
   * What the text alone does not show but call sites should not mix: the extensions
   * called, in order. Templates are shared only between rules that call the same ones, so
   * every call site sees one function (and V8 can inline it).
   */
  private readonly identity: string[] = [];

  /** `D`: the name of the table's data array in the generated code. */
  constructor(private readonly D: Code) {}

  value(v: number | string | boolean): Code {
    return this.slot(v);
  }

  object(v: unknown): Code {
    return this.slot(v);
  }

  extension(ext: { name: string; kind: string }): Code {
    this.identity.push(`${ext.kind}:${ext.name}`);
    return this.slot(ext);
  }

  callChain(name: string): Code {
    const i = this.values.length;
    this.values.push(undefined, undefined);
    this.chains.push({ index: i, chain: name });
    return code`${this.D}[o + ${i}](pkt, ${this.D}[o + ${i + 1}])`;
  }

  /** What instances must share besides their text to share a template. */
  key(text: Code): string {
    return `${text.text}\n${this.identity.join(',')}`;
  }

  /** Appends the values to `data`; returns their offset and adds the chain slots to `slots`. */
  place(data: unknown[], slots: ChainSlot[]): number {
    const base = data.length;
    for (const v of this.values) data.push(v);
    for (const c of this.chains) slots.push({ index: base + c.index, chain: c.chain });
    return base;
  }

  private slot(v: unknown): Code {
    this.values.push(v);
    return code`${this.D}[o + ${this.values.length - 1}]`;
  }
}
