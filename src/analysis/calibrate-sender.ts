/**
 * The packet source of `nfreplay calibrate` (calibrate.ts), run inside the sending network
 * namespace: `node calibrate-sender.js ADDRESS PORT SECONDS` sends small UDP datagrams to
 * ADDRESS:PORT as fast as one thread can for SECONDS, then prints one JSON line: datagrams
 * sent, the wall time, and this process's user and system CPU time over the sending.
 *
 * On a veth pair the peer's receive path (netif_rx, then the backlog's softirq when the
 * sender re-enables bottom halves in __dev_queue_xmit) runs on this CPU in this process's
 * context, netfilter hooks included: that kernel work is charged to this process as system
 * time, which is what the calibration divides by the datagrams.
 */
import dgram from 'node:dgram';

/** Sends between two turns of the event loop (send callbacks and errors run there). */
const BURST = 256;

async function main(): Promise<void> {
  const [address, portText, secondsText] = process.argv.slice(2);
  const port = Number(portText);
  const seconds = Number(secondsText);
  if (address === undefined || !(port > 0 && port < 65536) || !(seconds > 0)) throw new Error('usage: calibrate-sender ADDRESS PORT SECONDS');
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, resolve));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, address, () => resolve());
  });
  // 18 bytes of payload: a 46-byte IP datagram, the smallest an Ethernet frame carries unpadded.
  const payload = Buffer.alloc(18);
  let failed: Error | undefined;
  socket.on('error', (e) => (failed = e));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(seconds * 1e9));
  let sent = 0;
  await new Promise<void>((resolve) => {
    const burst = (): void => {
      for (let i = 0; i < BURST; i++) socket.send(payload);
      sent += BURST;
      if (failed === undefined && process.hrtime.bigint() < end) setImmediate(burst);
      else resolve();
    };
    burst();
  });
  // Datagrams go out in order: when the last one's callback runs, every one has left.
  await new Promise<void>((resolve) => socket.send(payload, () => resolve()));
  sent++;
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  socket.close();
  if (failed !== undefined) throw failed;
  process.stdout.write(JSON.stringify({ sent, seconds: wall, userSeconds: cpu.user / 1e6, systemSeconds: cpu.system / 1e6 }) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`calibrate-sender: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
