/**
 * bpf match (libxt_bpf revision 1 / kernel xt_bpf): runs a classic BPF program on the
 * packet. Parsed, checked as the kernel checks it, and printed; not evaluated by the
 * replay.
 */
import { ParamError } from '../errors.js';
import { cStrtoul } from './common/numbers.js';
import { defineMatch } from './types.js';

/** struct sock_filter */
export interface BpfInsn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export interface BpfState {
  program: BpfInsn[];
}

/** XT_BPF_MAX_NUM_INSTR */
const MAX_INSNS = 64;

/**
 * One glibc scanf "%u"-family conversion at `pos`: blanks, an optional sign, decimal
 * digits, converted as strtoul(3) in base 10 does (a minus wraps, overflow saturates);
 * the value is then cut to the destination's `bits`.
 */
function scanUnsigned(text: string, pos: number, bits: number): { value: number; end: number } | undefined {
  const r = cStrtoul(text.slice(pos), 10);
  if (r.end === 0) return undefined;
  return { value: Number(BigInt.asUintN(bits, r.value)), end: pos + r.end };
}

/**
 * bpf_parse_string: "N,code jt jf k,code jt jf k,...". Each instruction is read right
 * after a comma and anything after its fourth number is ignored; a trailing comma ends
 * the list.
 */
export function parseBytecode(text: string): BpfInsn[] {
  const len = scanUnsigned(text, 0, 16);
  if (len === undefined || text[len.end] !== ',') throw new ParamError('bpf: error parsing program length');
  if (len.value === 0) throw new ParamError('bpf: illegal zero length program');
  if (len.value > MAX_INSNS) throw new ParamError('bpf: number of instructions exceeds maximum');

  const program: BpfInsn[] = [];
  for (let comma = text.indexOf(','); comma >= 0 && comma + 1 < text.length; comma = text.indexOf(',', comma + 1)) {
    if (program.length >= len.value) {
      throw new ParamError('bpf: real program length exceeds the encoded length parameter');
    }
    const fields: number[] = [];
    let pos = comma + 1;
    for (const bits of [16, 8, 8, 32]) {
      const r = scanUnsigned(text, pos, bits);
      if (r === undefined) throw new ParamError(`bpf: error at instr ${program.length}`);
      fields.push(r.value);
      pos = r.end;
    }
    program.push({ code: fields[0]!, jt: fields[1]!, jf: fields[2]!, k: fields[3]! });
  }
  if (program.length !== len.value) {
    throw new ParamError('bpf: parsed program length is less than the encoded length parameter');
  }
  return program;
}

// Classic BPF opcodes (include/uapi/linux/filter.h, bpf_common.h).
const LD = 0x00;
const LDX = 0x01;
const ST = 0x02;
const STX = 0x03;
const ALU = 0x04;
const JMP = 0x05;
const RET = 0x06;
const MISC = 0x07;
const W = 0x00;
const H = 0x08;
const B = 0x10;
const IMM = 0x00;
const ABS = 0x20;
const IND = 0x40;
const MEM = 0x60;
const LEN = 0x80;
const MSH = 0xa0;
const K = 0x00;
const X = 0x08;
const RET_A = 0x10;
const DIV = 0x30;
const LSH = 0x60;
const RSH = 0x70;
const NEG = 0x80;
const MOD = 0x90;
const JA = 0x00;
const JEQ = 0x10;
const JGT = 0x20;
const JGE = 0x30;
const JSET = 0x40;
const TXA = 0x80;

/** chk_code_allowed: every opcode classic BPF defines. */
const ALLOWED = new Set<number>([
  ...[0x00, 0x10, 0x20, DIV, 0x40, 0x50, LSH, RSH, MOD, 0xa0].flatMap((op) => [ALU | op | K, ALU | op | X]),
  ALU | NEG,
  LD | W | ABS,
  LD | H | ABS,
  LD | B | ABS,
  LD | W | LEN,
  LD | W | IND,
  LD | H | IND,
  LD | B | IND,
  LD | IMM,
  LD | MEM,
  LDX | W | LEN,
  LDX | B | MSH,
  LDX | IMM,
  LDX | MEM,
  ST,
  STX,
  MISC,
  MISC | TXA,
  RET | K,
  RET | RET_A,
  JMP | JA,
  ...[JEQ, JGT, JGE, JSET].flatMap((op) => [JMP | op | K, JMP | op | X]),
]);

const CONDITIONAL_JUMPS = new Set([JEQ, JGT, JGE, JSET].flatMap((op) => [JMP | op | K, JMP | op | X]));

/** SKF_AD_OFF (-0x1000) as the unsigned k the kernel compares with. */
const SKF_AD_OFF = 0xfffff000;
/** The ancillary loads bpf_anc_helper knows: SKF_AD_PROTOCOL (0) ... SKF_AD_VLAN_TPID (60). */
const ANCILLARY = new Set([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60].map((n) => SKF_AD_OFF + n));
/** BPF_MEMWORDS */
const MEM_WORDS = 16;

/** check_load_and_stores: no scratch word may be read before every path to it wrote it. */
function loadsAfterStores(p: readonly BpfInsn[]): boolean {
  const masks = new Array<number>(p.length).fill(0xffff);
  let valid = 0;
  for (let pc = 0; pc < p.length; pc++) {
    valid &= masks[pc]!;
    const { code, jt, jf, k } = p[pc]!;
    if (code === ST || code === STX) valid |= 1 << k;
    else if (code === (LD | MEM) || code === (LDX | MEM)) {
      if (!(valid & (1 << k))) return false;
    } else if (code === (JMP | JA)) {
      masks[pc + 1 + k] = masks[pc + 1 + k]! & valid;
      valid = 0xffff;
    } else if (CONDITIONAL_JUMPS.has(code)) {
      masks[pc + 1 + jt] = masks[pc + 1 + jt]! & valid;
      masks[pc + 1 + jf] = masks[pc + 1 + jf]! & valid;
      valid = 0xffff;
    }
  }
  return true;
}

/** bpf_check_classic, which bpf_prog_create runs when xt_bpf checks the rule. */
export function classicBpfProblem(p: readonly BpfInsn[]): string | undefined {
  for (let pc = 0; pc < p.length; pc++) {
    const { code, jt, jf, k } = p[pc]!;
    if (!ALLOWED.has(code)) return `instruction ${pc}: unknown opcode ${code}`;
    switch (code) {
      case ALU | DIV | K:
      case ALU | MOD | K:
        if (k === 0) return `instruction ${pc}: division by zero`;
        break;
      case ALU | LSH | K:
      case ALU | RSH | K:
        if (k >= 32) return `instruction ${pc}: shift by ${k}`;
        break;
      case LD | MEM:
      case LDX | MEM:
      case ST:
      case STX:
        if (k >= MEM_WORDS) return `instruction ${pc}: scratch word ${k} does not exist`;
        break;
      case JMP | JA:
        if (k >= p.length - pc - 1) return `instruction ${pc}: jump past the end`;
        break;
      case LD | W | ABS:
      case LD | H | ABS:
      case LD | B | ABS:
        if (k >= SKF_AD_OFF && !ANCILLARY.has(k)) return `instruction ${pc}: unknown ancillary load ${k}`;
        break;
      default:
        if (CONDITIONAL_JUMPS.has(code) && (pc + jt + 1 >= p.length || pc + jf + 1 >= p.length)) {
          return `instruction ${pc}: jump past the end`;
        }
    }
  }
  const last = p[p.length - 1]!.code;
  if (last !== (RET | K) && last !== (RET | RET_A)) return 'the last instruction is not a return';
  if (!loadsAfterStores(p)) return 'a scratch word is read before it is written';
  return undefined;
}

/** bpf_print_code: "code jt jf k" joined by commas, then the tail character. */
function codeText(p: readonly BpfInsn[], tail: string): string {
  return p.map((i) => `${i.code} ${i.jt} ${i.jf} ${i.k}`).join(',') + tail;
}

export const bpf = defineMatch<BpfState>({
  name: 'bpf',
  modelled: false,
  needs: 'evaluator',
  options: [
    { name: 'bytecode', arg: 'required' },
    { name: 'object-pinned', arg: 'required' },
  ],
  create: () => ({ program: [] }),
  parse(s, call) {
    if (call.name === 'bytecode') {
      s.program = parseBytecode(call.arg ?? '');
      return;
    }
    // bpf_obj_get_readonly: the object is opened from the host's bpffs while parsing;
    // a ruleset loaded on its own has none.
    throw new ParamError('bpf: failed to get bpf object');
  },
  finalCheck(_s, ctx) {
    if (!ctx.seen.has('bytecode')) throw new ParamError('bpf: one of --bytecode or --pinned is required');
  },
  kernelCheck(s) {
    const problem = classicBpfProblem(s.program);
    return problem && `bpf match: the kernel's BPF checker refuses the program: ${problem}`;
  },
  save: (s) => ` --bytecode "${s.program.length},${codeText(s.program, '"')}`,
  // Iptables prints this one without a leading space, and the final "%c" writes a NUL.
  print: (s) => 'match bpf ' + codeText(s.program, '\0'),
});
