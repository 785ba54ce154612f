/** The capture stage: reading pcap/pcapng captures, writing pcap, rewriting packets in place. */
export type { CaptureInterface, PacketRecord } from './record.js';
export { openCapture, MAX_BLOCK, MAX_CAPLEN } from './reader.js';
export type { CaptureDamage, CaptureReader, OpenCaptureOptions, ReadSummary } from './reader.js';
export { PcapRecords, PcapWriter } from './writer.js';
export type { PacketToWrite, PcapSink, PcapWriterOptions } from './writer.js';
export { CaptureError, CaptureErrorCodes } from './errors.js';
export type { CaptureErrorCode } from './errors.js';
export { linktypeName } from './linktype.js';
export * from './rewrite.js';
