/**
 * Reading the capture buffer. Every field is read through a DataView: V8 compiles
 * getUint16/getUint32 to single loads, where assembling bytes from a Uint8Array costs a
 * bounds check per byte (about a quarter of the decode time). Callers check lengths first;
 * a read past the buffer would throw, which the fuzz test would catch.
 */

let lastData: Uint8Array | undefined;
let lastView: DataView = new DataView(new ArrayBuffer(0));

/**
 * A DataView over `data`, offsets as in `data`. Made once per buffer, not per packet: the
 * reader hands out many packets from each chunk.
 */
export function dataViewOf(data: Uint8Array): DataView {
  if (data !== lastData) {
    lastData = data;
    lastView = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  return lastView;
}

/** A MAC address as one integer (48 bits fit a double exactly). */
export function u48(dv: DataView, o: number): number {
  return dv.getUint16(o) * 0x100000000 + dv.getUint32(o + 2);
}
