import { execFileSync, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';

/**
 * Issue 9, hosted direct VPNs: create → first packet, client remove → cut, delete → cut,
 * measured by the real end-to-end test (test/e2e/direct-vpn-hosted.test.ts: the real server,
 * gateway and agent in network namespaces, the plant router and a user client dialing in with
 * the show-once profiles) run `--runs` times; prints each figure's runs and median, with the
 * load average before each run. Root and the e2e tools (wireguard-go, nft, openvpn) needed.
 *
 *   node bench/hosted-direct-vpn-timing.ts [--runs 5]
 */

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 5) || 5;
const test = new URL('../test/e2e/direct-vpn-hosted.test.ts', import.meta.url).pathname;
const figures = new Map<string, number[]>();
const loads: number[] = [];

for (let run = 1; run <= runs; run++) {
  loads.push(loadavg()[0] as number);
  const result = spawnSync(process.execPath, ['--test', test], { encoding: 'utf8', timeout: 600_000 });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) {
    // A failed run has no figures: stop here with its output (the benchmark exits non-zero).
    throw new Error(`run ${run} failed:\n${output.slice(-4000)}`);
  }
  // the test's t.diagnostic lines: "ℹ <figure>: <ms> ms"
  for (const match of output.matchAll(/^\s*ℹ (.+?)(?: \(incl\.[^)]*\))?: (\d+) ms$/gm)) {
    const list = figures.get(match[1] as string) ?? [];
    list.push(Number(match[2]));
    figures.set(match[1] as string, list);
  }
  console.error(`run ${run}/${runs} done (load ${loads.at(-1)?.toFixed(1)})`);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : Math.round(((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2);
};
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {}
console.log(`hosted direct VPN timing, ${runs} runs, commit ${commit}, ${new Date().toISOString()}, load average ${loads.map((l) => l.toFixed(1)).join(' / ')}`);
for (const [figure, values] of figures) console.log(`${figure}: ${values.join(' / ')} ms, median ${median(values)} ms`);
console.log(`RESULT ${JSON.stringify({ bench: 'hosted-direct-vpn-timing', runs, commit, loads, figures: Object.fromEntries([...figures].map(([k, v]) => [k, { runs: v, median: median(v) }])) })}`);
