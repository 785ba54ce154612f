/**
 * A unified diff (`diff -u`: "---"/"+++" headers, "@@ -l,s +l,s @@" hunks with three lines
 * of context) between two texts, line by line. The alignment is a longest common
 * subsequence of lines, found by Hunt–Szymanski (a longest increasing subsequence over the
 * pairs of equal lines) after the common head and tail are set aside: fast when lines rarely
 * repeat, as rules in a ruleset do. When repeated lines would make the pairs too many, the
 * differing middle is shown replaced as a whole — still a correct diff, not a minimal one.
 */

/** Past this many pairs of equal lines the middle is not aligned. */
const MAX_PAIRS = 4_000_000;
const CONTEXT = 3;

type Op = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Matched (i, j) index pairs of a longest common subsequence of a and b, in order. */
function commonLines(a: readonly string[], b: readonly string[]): Array<[number, number]> | undefined {
  const where = new Map<string, number[]>();
  b.forEach((line, j) => {
    const list = where.get(line);
    if (list === undefined) where.set(line, [j]);
    else list.push(j);
  });
  let pairs = 0;
  for (const line of a) pairs += where.get(line)?.length ?? 0;
  if (pairs > MAX_PAIRS) return undefined;
  // tails[k]: the smallest j ending a common subsequence of length k + 1; links to rebuild it.
  const tails: number[] = [];
  const tailNode: number[] = [];
  const nodeI: number[] = [];
  const nodeJ: number[] = [];
  const nodePrev: number[] = [];
  a.forEach((line, i) => {
    const js = where.get(line);
    if (js === undefined) return;
    // Descending j, so one line of a extends a subsequence at most once.
    for (let t = js.length - 1; t >= 0; t--) {
      const j = js[t]!;
      let lo = 0;
      let hi = tails.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (tails[mid]! < j) lo = mid + 1;
        else hi = mid;
      }
      nodeI.push(i);
      nodeJ.push(j);
      nodePrev.push(lo > 0 ? tailNode[lo - 1]! : -1);
      tails[lo] = j;
      tailNode[lo] = nodeI.length - 1;
    }
  });
  const out: Array<[number, number]> = [];
  for (let n = tails.length > 0 ? tailNode[tails.length - 1]! : -1; n >= 0; n = nodePrev[n]!) out.push([nodeI[n]!, nodeJ[n]!]);
  return out.reverse();
}

function editScript(a: readonly string[], b: readonly string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const ops: Op[] = a.slice(0, head).map((line) => ({ kind: ' ', line }));
  const common = commonLines(midA, midB) ?? [];
  let i = 0;
  let j = 0;
  for (const [ci, cj] of [...common, [midA.length, midB.length] as [number, number]]) {
    while (i < ci) ops.push({ kind: '-', line: midA[i++]! });
    while (j < cj) ops.push({ kind: '+', line: midB[j++]! });
    if (ci < midA.length) {
      ops.push({ kind: ' ', line: midA[ci]! });
      i++;
      j++;
    }
  }
  for (const line of a.slice(a.length - tail)) ops.push({ kind: ' ', line });
  return ops;
}

/** "l,s" of a hunk side as GNU diff writes it: "l" alone for one line, "l-1,0" for none. */
function range(start: number, count: number): string {
  if (count === 1) return String(start);
  return `${count === 0 ? start - 1 : start},${count}`;
}

/** The unified diff of `before` and `after`, "" when they are equal. */
export function unifiedDiff(before: string, after: string, labelBefore: string, labelAfter: string): string {
  const ops = editScript(splitLines(before), splitLines(after));
  const changed = ops.flatMap((op, k) => (op.kind === ' ' ? [] : [k]));
  if (changed.length === 0) return '';
  let out = `--- ${labelBefore}\n+++ ${labelAfter}\n`;
  // Line numbers (1-based) of each op on each side.
  const lineA = new Int32Array(ops.length + 1);
  const lineB = new Int32Array(ops.length + 1);
  lineA[0] = 1;
  lineB[0] = 1;
  ops.forEach((op, k) => {
    lineA[k + 1] = lineA[k]! + (op.kind !== '+' ? 1 : 0);
    lineB[k + 1] = lineB[k]! + (op.kind !== '-' ? 1 : 0);
  });
  let c = 0;
  while (c < changed.length) {
    // A hunk: changes less than 2 * CONTEXT unchanged lines apart, with CONTEXT around.
    let last = c;
    while (last + 1 < changed.length && changed[last + 1]! - changed[last]! - 1 <= 2 * CONTEXT) last++;
    const from = Math.max(0, changed[c]! - CONTEXT);
    const to = Math.min(ops.length, changed[last]! + CONTEXT + 1);
    const countA = lineA[to]! - lineA[from]!;
    const countB = lineB[to]! - lineB[from]!;
    out += `@@ -${range(lineA[from]!, countA)} +${range(lineB[from]!, countB)} @@\n`;
    for (let k = from; k < to; k++) out += `${ops[k]!.kind}${ops[k]!.line}\n`;
    c = last + 1;
  }
  return out;
}
