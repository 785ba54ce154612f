/**
 * Records the kernel's default sysctl values, as a fresh network namespace sees them, into
 * src/netfilter/sysctl-defaults.ts: every single-integer setting under net.ipv4 (top level,
 * conf.all, conf.default) and net.netfilter. Run as root:
 *
 *   sudo node test/netfilter/kernel/sysctls.mjs            # rewrite the table
 *   sudo node test/netfilter/kernel/sysctls.mjs --check    # exit 1 if it differs
 *
 * nf_conntrack_count is left out: it is state, not a setting. nf_conntrack_max and
 * nf_conntrack_buckets depend on the recording machine's memory; they are recorded as seen.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const TABLE = path.join(HERE, '..', '..', '..', 'src', 'netfilter', 'sysctl-defaults.ts');
const SKIP = new Set(['net.netfilter.nf_conntrack_count']);

export function recordSysctls() {
  const ns = `nfr-hms-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    // One shell in the namespace reads everything: name<TAB>value lines.
    const script =
      'cd /proc/sys && for f in net/ipv4/* net/ipv4/conf/all/* net/ipv4/conf/default/* net/netfilter/*; do ' +
      '[ -f "$f" ] && [ -r "$f" ] && v=$(cat "$f" 2>/dev/null) && printf "%s\\t%s\\n" "$f" "$v"; done; true';
    const out = execFileSync('ip', ['netns', 'exec', ns, 'sh', '-c', script], { encoding: 'utf8' });
    const values = {};
    for (const line of out.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab < 0) continue;
      const name = line.slice(0, tab).replaceAll('/', '.');
      const v = line.slice(tab + 1).trim();
      if (!/^-?\d+$/.test(v) || SKIP.has(name)) continue;
      values[name] = Number(v);
    }
    return { kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(), values };
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

export function renderTable({ kernel, values }) {
  const names = Object.keys(values).sort();
  const lines = names.map((n) => `  '${n}': ${values[n]},`);
  return `/**
 * The kernel's default sysctl values (every single-integer setting under net.ipv4, its
 * conf/all and conf/default, and net.netfilter), read from /proc/sys in a fresh network
 * namespace on Linux ${kernel} by test/netfilter/kernel/sysctls.mjs — generated, do not edit;
 * rerun it as root to record another kernel. nf_conntrack_max and nf_conntrack_buckets are
 * sized from the recording machine's memory.
 */
export const KERNEL_RELEASE = '${kernel}';

export const SYSCTL_DEFAULTS: Readonly<Record<string, number>> = {
${lines.join('\n')}
};
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.getuid?.() !== 0) {
    console.error('sysctls.mjs: needs root (it creates a network namespace)');
    process.exit(2);
  }
  const text = renderTable(recordSysctls());
  if (process.argv.includes('--check')) {
    const same = fs.readFileSync(TABLE, 'utf8') === text;
    console.log(same ? 'sysctl table up to date' : 'sysctl table differs from this kernel');
    process.exit(same ? 0 : 1);
  }
  fs.writeFileSync(TABLE, text);
  console.log(`wrote ${path.relative(process.cwd(), TABLE)}`);
}
