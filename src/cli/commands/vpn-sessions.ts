import type { Command } from 'commander';
import { formatBytes } from '../../core/render/format-bytes.ts';
import { SESSION_PAGE_MAX, SessionPage, type VpnSession, sessionContractJson } from '../../core/wire/sessions.ts';
import { CliError, type Io, client, printJson } from '../context.ts';
import { formatTable } from '../table.ts';

/** `plantgate vpn sessions [--json] [--limit N | --all]` (SPEC P7, issue 10's contract for `--json`). */
export function registerVpnSessionsCommand(vpn: Command, io: Io): void {
  vpn
    .command('sessions')
    .description('your current and past VPN sessions, newest first: start, end, source address, country, bytes, region and gateway')
    .option('--json', 'print JSON (exactly start, end, sourceAddress, country, bytesIn, bytesOut, region, gateway)')
    .option('--limit <n>', 'how many sessions (newest first)', '50')
    .option('--all', 'every session (pages through all of them)')
    .action(async (opts: { json?: boolean; limit: string; all?: boolean }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit: must be a whole number of at least 1', 'usage');
      const sessions: VpnSession[] = [];
      let cursor: string | null = null;
      do {
        const want = opts.all ? SESSION_PAGE_MAX : Math.min(SESSION_PAGE_MAX, limit - sessions.length);
        const query: string = `?limit=${want}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: SessionPage = await client(io).get(`/vpn/sessions${query}`, SessionPage);
        sessions.push(...page.sessions);
        cursor = page.next;
      } while (cursor && (opts.all || sessions.length < limit));
      if (opts.json) return printJson(io, sessions.map(sessionContractJson));
      if (sessions.length === 0) return io.out('no sessions yet (a session starts with the first WireGuard handshake a gateway reports)');
      io.out(
        formatTable(
          // The gateway counts from its side: what it received is what you sent.
          ['START', 'END', 'SOURCE', 'COUNTRY', 'SENT BY YOU', 'RECEIVED BY YOU', 'REGION', 'GATEWAY'],
          sessions.map((s) => [
            s.start,
            s.end ?? 'connected',
            s.sourceAddress ?? '-',
            s.country ?? '-',
            formatBytes(s.bytesIn),
            formatBytes(s.bytesOut),
            s.region,
            s.gateway,
          ]),
        ),
      );
    });
}
