/** nfreplay's library API. */
export * from './rules/index.js';
export * from './capture/index.js';
export * from './decode/index.js';
export * from './netfilter/index.js';
export * from './compile/index.js';
export { replayCapture, type ReplayOptions, type ReplaySummary, type PacketOutcome } from './engine/replay.js';
export { PacketState, Verdict } from './engine/packet.js';
