/** nfreplay's library API. */
export * from './rules/index.js';
export * from './capture/index.js';
export * from './decode/index.js';
export * from './netfilter/index.js';
export * from './compile/index.js';
export { replayCapture, type ReplayOptions, type ReplaySummary, type PacketOutcome, type DroppedPacket } from './engine/replay.js';
export { replayExpected, expectedValues, type ExpectedCounts } from './engine/expected.js';
export type { ConntrackOccupancy } from './engine/occupancy.js';
export { Traffic, SIZE_BOUNDS, type TrafficSeries } from './engine/traffic.js';
export { capacityReport, type CapacityInput, type CapacityReport } from './analysis/capacity.js';
export { calibrate, readCalibration, CalibrationError, type Calibration } from './analysis/calibrate.js';
export { conntrackLine, conntrackEventLine, type ConntrackFormat, type ConntrackEventKind } from './conntrack/listing.js';
export { PacketState, Verdict } from './engine/packet.js';
export { compareRulesets, responsibleRules, type CompareOptions, type RulesetComparison, type DiffGroup, type ConnectionExample, type ConntrackSide } from './analysis/compare.js';
export { DIFFERENCE_KINDS, type DifferenceKind, type PacketDetails, type ReplaySetup, type RuleRef, type RulesCost } from './analysis/outcomes.js';
