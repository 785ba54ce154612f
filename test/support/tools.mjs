// Finding the system tools the oracles drive (iptables, ip, nft, tcpdump...). They search a
// fixed system PATH rather than the caller's, so a pyenv or node_modules shim can never
// stand in for a real binary.
import fs from 'node:fs';
import path from 'node:path';

export const SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The executable's full path, or null. */
export function which(name) {
  for (const dir of SEARCH_PATH.split(':')) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

/** { key: full path or null } for a { key: executable name } table. */
export function findTools(names) {
  const found = {};
  for (const [k, n] of Object.entries(names)) found[k] = which(n);
  return found;
}
