/**
 * B6, the capture half, on the real kernel (issue 10: "the gateway's capture keeps up with
 * 20,000 new connections/s without a gap (or reports the gap)"). In a network namespace made
 * for the run, a generator opens `--rate` new UDP connections per second for `--seconds`
 * (each a new 5-tuple: 64 loopback source addresses × destination ports), and the gateway's
 * own capture — ConntrackCliSource (`conntrack -E` with the product's default 8 MiB netlink
 * buffer) feeding FlowAccounting, as the gateway's flow reporter wires them — counts the NEW
 * events it was given and the gaps it was told of. A run keeps up when every connection
 * arrived as an event; a run that lost any must have reported a gap (never a silent loss).
 *
 *   node bench/conntrack-capture-live.ts [--rate 20000] [--seconds 5] [--runs 3] [--buffer-mib 8]
 *
 * Root and `ip netns` are needed (as for the e2e tests); traffic stays on the namespace's loopback.
 */
import { performance } from 'node:perf_hooks';
import { NetnsLab, assertNetnsCapable } from '../test/e2e/netns.ts';
import { FlowAccounting } from '../src/daemon/flow-accounting.ts';
import { ConntrackCliSource } from '../src/os/conntrack/conntrack-cli-source.ts';
import type { ConntrackGap } from '../src/os/conntrack/conntrack-source.ts';

export type LiveCaptureOptions = { rate: number; seconds: number; bufferBytes?: number };
export type LiveCaptureRun = {
  rate: number;
  connections: number;
  /** Connections per second the generator reached (the kernel created the entries at this rate). */
  generatedPerSecond: number;
  captured: number;
  lost: number;
  gaps: number;
  /** Every connection captured with no gap, or the loss reported as a gap. */
  keptUp: boolean;
  lossReported: boolean;
  /** From the first connection to its last event delivered to the accounting. */
  seconds: number;
  records: number;
};

// Paced in 1 ms steps; each connection is one datagram from one of 64 source addresses to a
// port of 127.0.0.1 (no listener: the entry is created all the same, as for a scan).
const GENERATOR = `
import socket, sys, time
rate, total = int(sys.argv[1]), int(sys.argv[2])
socks = []
for k in range(64):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.1.0.%d' % (k + 1), 0))
    socks.append(s)
sent, start = 0, time.monotonic()
while sent < total:
    due = min(total, int((time.monotonic() - start) * rate) + 1)
    while sent < due:
        socks[sent % 64].sendto(b'x', ('127.0.0.1', 1 + (sent // 64) % 65000))
        sent += 1
    time.sleep(0.001)
print(sent, time.monotonic() - start)
`;

export async function liveCapture(o: LiveCaptureOptions): Promise<LiveCaptureRun> {
  await assertNetnsCapable();
  const lab = new NetnsLab();
  try {
    const ns = await lab.addNamespace('cap');
    // conntrack tracks a namespace once a rule there uses it (as the gateway's nft table does).
    await lab.exec(ns, 'nft', ['-f', '-'], { stdin: 'table ip pgcap {\n chain out {\n type filter hook output priority 0;\n ct state new accept\n }\n}\n' });
    const accounting = new FlowAccounting({ daemonId: 'bench-gw' });
    accounting.setTunnelRange('127.1.0.0/16');
    let captured = 0;
    let lastEventAt = 0;
    const gaps: ConntrackGap[] = [];
    const source = new ConntrackCliSource({ netns: ns, ...(o.bufferBytes === undefined ? {} : { bufferBytes: o.bufferBytes }) });
    await source.start({
      event: (event) => {
        accounting.event(event, Date.now());
        if (event.type === 'new' && event.protocol === 'udp' && event.src.startsWith('127.1.')) {
          captured++;
          lastEventAt = performance.now();
        }
      },
      gap: (gap) => gaps.push(gap),
    });
    try {
      const connections = Math.round(o.rate * o.seconds);
      const started = performance.now();
      const { stdout } = await lab.exec(ns, 'python3', ['-c', GENERATOR, String(o.rate), String(connections)], { timeoutMs: (o.seconds + 60) * 1000 });
      const [sent, generatorSeconds] = stdout.trim().split(' ').map(Number) as [number, number];
      // The stream drains: wait until every connection arrived, or nothing more came for 2 s (bounded).
      for (let waited = 0; captured < sent && waited < 30_000; waited += 100) {
        const before = captured;
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (captured === before && performance.now() - lastEventAt > 2000) break;
      }
      const lost = sent - captured;
      const records = accounting.flush(Date.now()).length;
      return {
        rate: o.rate,
        connections: sent,
        generatedPerSecond: Math.round(sent / generatorSeconds),
        captured,
        lost,
        gaps: gaps.length,
        keptUp: lost === 0 && gaps.length === 0,
        lossReported: lost === 0 || gaps.length > 0,
        seconds: Math.round((lastEventAt - started) / 10) / 100,
        records,
      };
    } finally {
      await source.stop();
    }
  } finally {
    await lab.cleanup();
  }
}

if (import.meta.main) {
  const arg = (name: string, fallback: number) => {
    const at = process.argv.indexOf(`--${name}`);
    return at === -1 ? fallback : Number(process.argv[at + 1]);
  };
  const runs: LiveCaptureRun[] = [];
  for (let i = 0; i < arg('runs', 3); i++) {
    const bufferMib = arg('buffer-mib', 0);
    const run = await liveCapture({ rate: arg('rate', 20_000), seconds: arg('seconds', 5), ...(bufferMib > 0 ? { bufferBytes: bufferMib * 1024 * 1024 } : {}) });
    console.log(JSON.stringify(run));
    runs.push(run);
  }
  const captureRates = runs.map((r) => r.captured / r.seconds).sort((a, b) => a - b);
  console.log(
    `RESULT ${JSON.stringify({ runs: runs.length, keptUp: runs.filter((r) => r.keptUp).length, lossReported: runs.every((r) => r.lossReported), medianCapturedPerSecond: Math.round(captureRates[Math.floor(captureRates.length / 2)] as number) })}`,
  );
}
