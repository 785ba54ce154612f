/**
 * The name databases iptables consults through libc: /etc/services (getservbyname,
 * getservbyport), /etc/protocols (getprotobyname, getprotobynumber) and /etc/hosts for
 * listing without -n. They are read from the files, as glibc's "files" NSS backend does,
 * so listings match iptables on the same machine; nothing here ever queries DNS. The
 * files are loaded lazily, once.
 */
import { readFileSync } from 'node:fs';

interface ServiceEntry {
  name: string;
  aliases: string[];
  port: number;
  proto: string;
}

interface NameNumber {
  name: string;
  aliases: string[];
  num: number;
}

export interface IdEntry {
  name: string;
  id: number;
}

export interface SystemDatabases {
  services: ServiceEntry[];
  protocols: NameNumber[];
  /** address (uint32) → first host name in /etc/hosts */
  hosts: Map<number, string>;
  /** /etc/passwd and /etc/group, for the owner match */
  users: IdEntry[];
  groups: IdEntry[];
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'latin1').split('\n');
  } catch {
    return [];
  }
}

function fields(line: string): string[] {
  const hash = line.indexOf('#');
  const body = hash >= 0 ? line.slice(0, hash) : line;
  return body.split(/[ \t]+/).filter((f) => f.length > 0);
}

function parseServices(lines: string[]): ServiceEntry[] {
  const out: ServiceEntry[] = [];
  for (const line of lines) {
    const f = fields(line);
    if (f.length < 2) continue;
    const m = /^(\d+)\/(\S+)$/.exec(f[1]!);
    if (!m) continue;
    out.push({ name: f[0]!, aliases: f.slice(2), port: Number(m[1]), proto: m[2]! });
  }
  return out;
}

function parseProtocols(lines: string[]): NameNumber[] {
  const out: NameNumber[] = [];
  for (const line of lines) {
    const f = fields(line);
    if (f.length < 2 || !/^\d+$/.test(f[1]!)) continue;
    out.push({ name: f[0]!, num: Number(f[1]), aliases: f.slice(2) });
  }
  return out;
}

function parseDottedLoose(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => !/^\d+$/.test(p))) return undefined;
  const nums = parts.map(Number);
  if (nums.some((n) => n > 255)) return undefined;
  while (nums.length < 4) nums.push(0);
  return ((nums[0]! << 24) | (nums[1]! << 16) | (nums[2]! << 8) | nums[3]!) >>> 0;
}

function parseHosts(lines: string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of lines) {
    const f = fields(line);
    if (f.length < 2 || !/^\d+\.\d+\.\d+\.\d+$/.test(f[0]!)) continue;
    const addr = parseDottedLoose(f[0]!);
    if (addr !== undefined && !out.has(addr)) out.set(addr, f[1]!);
  }
  return out;
}

/** name:password:id:... lines; malformed lines are skipped as glibc does. */
function parseIdFile(lines: string[]): IdEntry[] {
  const out: IdEntry[] = [];
  for (const line of lines) {
    const f = line.split(':');
    if (f.length < 3 || f[0] === '' || !/^\d+$/.test(f[2]!)) continue;
    out.push({ name: f[0]!, id: Number(f[2]) });
  }
  return out;
}

export type DatabaseFile = 'hosts' | 'services' | 'protocols' | 'passwd' | 'group';

const DEFAULT_PATHS: Readonly<Record<DatabaseFile, string>> = {
  hosts: '/etc/hosts',
  services: '/etc/services',
  protocols: '/etc/protocols',
  passwd: '/etc/passwd',
  group: '/etc/group',
};

let cached: SystemDatabases | undefined;
let paths: Record<DatabaseFile, string> = { ...DEFAULT_PATHS };

/**
 * Reads some databases from other files than /etc's. Tests point `hosts` at the file
 * that was bind-mounted over /etc/hosts when the goldens were recorded.
 */
export function configureSystemDatabases(overrides: Partial<Record<DatabaseFile, string>>): void {
  paths = { ...DEFAULT_PATHS, ...overrides };
  cached = undefined;
}

export function systemDatabases(): SystemDatabases {
  cached ??= {
    services: parseServices(readLines(paths.services)),
    protocols: parseProtocols(readLines(paths.protocols)),
    hosts: parseHosts(readLines(paths.hosts)),
    users: parseIdFile(readLines(paths.passwd)),
    groups: parseIdFile(readLines(paths.group)),
  };
  return cached;
}

/** getservbyname(name, proto) */
export function serviceByName(name: string, proto: string): number | undefined {
  for (const s of systemDatabases().services) {
    if (s.proto === proto && (s.name === name || s.aliases.includes(name))) return s.port;
  }
  return undefined;
}

/** getservbyport(port, proto) → official name */
export function serviceByPort(port: number, proto: string): string | undefined {
  for (const s of systemDatabases().services) {
    if (s.proto === proto && s.port === port) return s.name;
  }
  return undefined;
}

/** getprotobyname(name) */
export function protocolByName(name: string): number | undefined {
  for (const p of systemDatabases().protocols) {
    if (p.name === name || p.aliases.includes(name)) return p.num;
  }
  return undefined;
}

/** getprotobynumber(num) → official name */
export function protocolByNumber(num: number): string | undefined {
  for (const p of systemDatabases().protocols) if (p.num === num) return p.name;
  return undefined;
}

export function hostByAddress(addr: number): string | undefined {
  return systemDatabases().hosts.get(addr >>> 0);
}
