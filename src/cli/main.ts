#!/usr/bin/env node
/** The nfreplay command line. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerCalibrateCommand } from './calibrate.js';
import { registerCapacityCommand } from './capacity.js';
import { registerCaptureCommands } from './capture.js';
import { registerDemoCommand } from './demo.js';
import { registerDiffCommand } from './diff.js';
import { ExitCode, processIo, type Io } from './io.js';
import { registerOrderCommand } from './order.js';
import { registerReplayCommand } from './replay.js';
import { registerRulesCommands } from './rules.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function version(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(io: Io): Command {
  const program = new Command('nfreplay')
    .description('Replay packet captures through an iptables ruleset, offline')
    .version(version())
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  registerRulesCommands(program, io);
  registerReplayCommand(program, io);
  registerDiffCommand(program, io);
  registerOrderCommand(program, io);
  registerDemoCommand(program, io, packageRoot);
  registerCaptureCommands(program, io);
  registerCapacityCommand(program, io);
  registerCalibrateCommand(program, io);
  for (const c of program.commands) {
    c.exitOverride();
    c.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    for (const sub of c.commands) {
      sub.exitOverride();
      sub.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    }
  }
  return program;
}

export async function main(argv: string[], io: Io = processIo): Promise<void> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      const helpOrVersion = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      io.exit(helpOrVersion ? ExitCode.Ok : ExitCode.Usage);
      return;
    }
    throw e;
  }
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly || process.argv[1]?.endsWith('/nfreplay')) {
  void main(process.argv.slice(2));
}
