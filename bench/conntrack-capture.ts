/**
 * Gateway flow capture throughput (issue 10, B6's capture half): conntrack event lines as
 * `conntrack -E -o timestamp,extended,id` prints them, through the product's own path per
 * line — parseConntrackLine, then FlowAccounting.event — and a window flush at the end.
 * Every connection is a NEW and a DESTROY line with bytes (two events), from one of 1,000
 * tunnel addresses to one of 200 mapped devices on ports 80/502.
 *
 *   node bench/conntrack-capture.ts --connections 200000 [--rounds 5]
 */
import { performance } from 'node:perf_hooks';
import { FlowAccounting } from '../src/daemon/flow-accounting.ts';
import { parseConntrackLine } from '../src/os/conntrack/conntrack-line.ts';

export type CaptureRound = { events: number; seconds: number; eventsPerSecond: number; records: number };

export function eventLines(connections: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < connections; i++) {
    const user = `100.64.${(i >> 8) & 3}.${(i % 250) + 2}`;
    const device = `100.80.${i % 200 >> 4}.${(i % 16) + 10}`;
    const port = i % 3 === 0 ? 502 : 80;
    const sport = 30000 + (i % 30000);
    const id = 1_000_000 + i;
    const t = 1796045528 + Math.floor(i / 1000);
    lines.push(
      `[${t}.${String(i % 1_000_000).padStart(6, '0')}]\t    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=${user} dst=${device} sport=${sport} dport=${port} [UNREPLIED] src=192.168.1.${(i % 16) + 10} dst=${user} sport=${port} dport=${sport} id=${id}`,
      `[${t}.${String((i + 500) % 1_000_000).padStart(6, '0')}]\t[DESTROY] ipv4     2 tcp      6 src=${user} dst=${device} sport=${sport} dport=${port} packets=5 bytes=${300 + (i % 100)} src=192.168.1.${(i % 16) + 10} dst=${user} sport=${port} dport=${sport} packets=5 bytes=${5000 + (i % 1000)} [ASSURED] id=${id}`,
    );
  }
  return lines;
}

export function captureRound(lines: string[]): CaptureRound {
  const accounting = new FlowAccounting({ daemonId: 'bench-gw' });
  accounting.setTunnelRange('100.64.0.0/12');
  const started = performance.now();
  for (const line of lines) {
    const event = parseConntrackLine(line);
    if (event !== null) accounting.event(event, 0);
  }
  const records = accounting.flush(Date.now()).length;
  const seconds = (performance.now() - started) / 1000;
  return { events: lines.length, seconds, eventsPerSecond: lines.length / seconds, records };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

if (import.meta.main) {
  const arg = (name: string, fallback: number) => {
    const at = process.argv.indexOf(`--${name}`);
    return at === -1 ? fallback : Number(process.argv[at + 1]);
  };
  const lines = eventLines(arg('connections', 200_000));
  const rounds = Array.from({ length: arg('rounds', 5) }, () => captureRound(lines));
  for (const round of rounds) console.log(`${round.events} events in ${round.seconds.toFixed(3)} s: ${Math.round(round.eventsPerSecond)} events/s, ${round.records} records`);
  console.log(`median: ${Math.round(median(rounds.map((r) => r.eventsPerSecond)))} events/s (${Math.round(median(rounds.map((r) => r.eventsPerSecond)) / 2)} connections/s)`);
}
