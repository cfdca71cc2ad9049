import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { auditApi } from '../../core/wire/audit.ts';
import { callEndpoint } from '../api-client.ts';
import { contractPage, csvHeader, csvLine, jsonLines, renderAuditPage, renderVerification, verifyExport } from '../audit-render.ts';
import { CliError, client, type Io, printJson } from '../context.ts';
import { positiveIntArgument } from '../org-args.ts';

/**
 * `plantgate audit …` (issue 10): a plant's audit trail for its organization's Admins and
 * Moderators — query, export (CSV, JSON lines), verify (online, or an export offline with
 * the public key) and the public key itself. PLANT is a plant's id or name.
 */
export function registerAuditCommands(program: Command, io: Io): void {
  const audit = program.command('audit').description('a plant\u2019s audit trail: who reached which device, when, how much; tamper-evident');

  audit
    .command('query')
    .description('records of a plant\u2019s trail in chain order, with capture gaps (one page; --cursor for the next)')
    .requiredOption('--plant <plant>', 'the plant (id or name)')
    .option('--user <email>', 'only this user\u2019s records')
    .option('--device <ip>', 'only this device (its real address in the plant)')
    .option('--from <iso-time>', 'only records last seen at or after this time')
    .option('--to <iso-time>', 'only records first seen at or before this time')
    .option('--limit <n>', 'records per page (1–5000, default 500)', positiveIntArgument)
    .option('--cursor <cursor>', 'the next page (from "next" of the previous one)')
    .option('--json', 'print {"records", "gaps", "next"} (the issue 10 contract)')
    .action(async (opts: { plant: string; user?: string; device?: string; from?: string; to?: string; limit?: number; cursor?: string; json?: boolean }) => {
      const page = await callEndpoint(client(io), auditApi.records, {
        params: { plant: opts.plant },
        query: { user: opts.user, device: opts.device, from: opts.from, to: opts.to, limit: opts.limit, cursor: opts.cursor },
        labels: { user: '--user', device: '--device', from: '--from', to: '--to', limit: '--limit', cursor: '--cursor' },
      });
      if (opts.json) return printJson(io, contractPage(page));
      io.out(renderAuditPage(page));
    });

  audit
    .command('events')
    .description('SPEC A4 events concerning a plant (its edits, direct VPNs, route moves, its users\u2019 profiles and logins), oldest first')
    .requiredOption('--plant <plant>', 'the plant (id or name)')
    .option('--user <email>', 'only events this user did or was subject of')
    .option('--kind <kind>', 'a kind (profile.issued) or a family (profile, direct-vpn, auth)')
    .option('--from <iso-time>', 'only events at or after this time')
    .option('--to <iso-time>', 'only events at or before this time')
    .option('--limit <n>', 'events per page (1–1000, default 200)', positiveIntArgument)
    .option('--cursor <cursor>', 'the next page (from "next" of the previous one)')
    .option('--json', 'print {"events": [{id, at, kind, actor, subject, details}], "next"}')
    .action(async (opts: { plant: string; user?: string; kind?: string; from?: string; to?: string; limit?: number; cursor?: string; json?: boolean }) => {
      const page = await callEndpoint(client(io), auditApi.events, {
        params: { plant: opts.plant },
        query: { user: opts.user, kind: opts.kind, from: opts.from, to: opts.to, limit: opts.limit, cursor: opts.cursor },
        labels: { user: '--user', kind: '--kind', from: '--from', to: '--to', limit: '--limit', cursor: '--cursor' },
      });
      if (opts.json) return printJson(io, page);
      if (page.events.length === 0) io.out('no events');
      for (const e of page.events) {
        const who = e.subject && e.subject !== e.actor ? `${e.actor ?? '-'} \u2192 ${e.subject}` : (e.actor ?? e.subject ?? '-');
        io.out(`${e.at}  ${e.kind.padEnd(24)} ${who}  ${JSON.stringify(e.details)}`);
      }
      if (page.next) io.out(`more: --cursor ${page.next}`);
    });

  audit
    .command('verify')
    .description('check a plant\u2019s hash chain against its signed checkpoints (exit 0), or name the first record that fails (exit 1)')
    .option('--plant <plant>', 'the plant (id or name), verified on the server')
    .option('--file <export.jsonl>', 'verify an export offline instead (needs --public-key)')
    .option('--public-key <pem-file>', 'the server\u2019s audit public key (plantgate audit public-key)')
    .option('--json', 'print the verdict as JSON')
    .action(async (opts: { plant?: string; file?: string; publicKey?: string; json?: boolean }) => {
      if (!opts.plant === !opts.file) throw new CliError('give --plant PLANT (on the server) or --file EXPORT --public-key PEM (offline)', 'usage');
      let verdict: Parameters<typeof renderVerification>[0];
      if (opts.file) {
        if (!opts.publicKey) throw new CliError('--public-key: required with --file', 'usage');
        verdict = verifyExport(readFileSync(opts.file, 'utf8'), readFileSync(opts.publicKey, 'utf8'));
      } else {
        verdict = await callEndpoint(client(io), auditApi.verify, { params: { plant: opts.plant as string } });
      }
      if (opts.json) printJson(io, verdict);
      else if (verdict.ok) io.out(renderVerification(verdict));
      if (!verdict.ok) throw new CliError(renderVerification(verdict), 'error');
    });

  audit
    .command('export')
    .description('the whole stored trail of a plant as CSV or JSON lines (JSON lines carry hashes and checkpoints: verifiable offline)')
    .requiredOption('--plant <plant>', 'the plant (id or name)')
    .option('--format <format>', 'csv or jsonl', 'jsonl')
    .option('--output <file>', 'write to this file instead of standard output')
    .action(async (opts: { plant: string; format: string; output?: string }) => {
      if (opts.format !== 'csv' && opts.format !== 'jsonl') throw new CliError(`--format: must be csv or jsonl, not "${opts.format}"`, 'usage');
      const lines: string[] = opts.format === 'csv' ? [csvHeader()] : [];
      const api = client(io);
      for (let cursor: string | undefined; ; ) {
        const page = await callEndpoint(api, auditApi.export, { params: { plant: opts.plant }, query: { cursor }, labels: {} });
        if (opts.format === 'csv') lines.push(...page.records.map(csvLine));
        else lines.push(...jsonLines(page));
        if (!page.next) break;
        cursor = page.next;
      }
      const text = `${lines.join('\n')}\n`;
      if (opts.output) writeFileSync(opts.output, text, { mode: 0o600 });
      else io.out(text.slice(0, -1));
    });

  audit
    .command('public-key')
    .description('the public key that verifies audit checkpoints (give it to auditors)')
    .option('--json', 'print {algorithm, publicKeyPem, fingerprint}')
    .action(async (opts: { json?: boolean }) => {
      const key = await callEndpoint(client(io), auditApi.publicKey);
      if (opts.json) return printJson(io, key);
      // Standard output is the PEM alone (redirect it into a file); the fingerprint to compare out of band goes to standard error.
      io.out(key.publicKeyPem.trimEnd());
      io.err(`${key.algorithm} ${key.fingerprint}`);
    });
}
