/**
 * The generated source of a small ruleset, as --dump-compiled shows it: the generic tests
 * inlined with constants folded, each target kind, a goto, an indexed run of -s rules, the
 * hook entry with its policies. Generic options only, so the snapshot changes only when the
 * code generator does.
 */
import { describe, expect, it } from 'vitest';
import { compileRuleset } from '../../src/compile/index.js';
import { loadRulesetText } from '../../src/rules/index.js';
import { TestRuntime } from './helpers.js';

const RULES = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:BLOCK - [0:0]
:LOGDROP - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -s 10.0.0.0/8 ! -i eth+ -j DROP
-A INPUT -p tcp -j BLOCK
-A INPUT -p udp -f -j DROP
-A INPUT -d 192.0.2.0/255.255.0.255 -g LOGDROP
-A INPUT -p icmp -j QUEUE
-A FORWARD ! -s 198.51.100.7/32 -o eth1 -j RETURN
-A FORWARD -i eth0
${Array.from({ length: 8 }, (_, i) => `-A BLOCK -s 203.0.113.${i + 1}/32 -j DROP`).join('\n')}
-A BLOCK -p tcp ! -f -j RETURN
-A LOGDROP -j DROP
COMMIT
`;

describe('generated source', () => {
  it('matches the snapshot', () => {
    const rs = loadRulesetText(RULES, { source: 'snapshot.v4' }).ruleset;
    expect(compileRuleset(rs, new TestRuntime()).source()).toMatchSnapshot();
  });
});
