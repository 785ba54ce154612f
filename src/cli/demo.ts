/**
 * `nfreplay demo` (what `npm start` runs): the bundled demo capture replayed through the
 * bundled seed ruleset, with the host inferred from the capture, exactly as
 * `nfreplay replay captures/demo.pcap --rules captures/demo.rules` would do.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Io } from './io.js';
import { runReplay } from './replay.js';

export function registerDemoCommand(program: Command, io: Io, packageRoot: string): void {
  program
    .command('demo')
    .description('replay captures/demo.pcap through captures/demo.rules and list the counters')
    .action(async () => {
      io.err('nfreplay: nfreplay replay captures/demo.pcap --rules captures/demo.rules\n');
      await runReplay(join(packageRoot, 'captures', 'demo.pcap'), { rules: join(packageRoot, 'captures', 'demo.rules'), output: 'list', seed: '1', unmodelled: 'refuse' }, io);
    });
}
