import { parseNftTableJsonInChunks, type ObservedNftTable } from './nft-table-json.ts';
import { checkedTableName } from './nft-names.ts';
import type { NftDriver } from './nft-driver.ts';
import { NftSession } from './nft-session.ts';
import { CommandError, inNetns, type RunCommand, runCommand } from '../run-command.ts';

export type NftCliDriverOptions = {
  /** Network namespace to work in; the host namespace when absent. */
  netns?: string;
  timeoutMs?: number;
  run?: RunCommand;
  /**
   * Element changes (scripts of `add element` / `delete element` only, as renderSetDelta
   * writes them) go to a long-lived `nft -i` (NftSession) instead of a new `nft -f`:
   * default true. Everything else (a table load, a delete of the table) is an `nft -f`.
   */
  session?: boolean;
};

/** Longest element script sent to the session as one line; longer ones go to `nft -f`. */
const SESSION_MAX_SCRIPT = 1024 * 1024;

/**
 * NftDriver over the `nft` CLI. Scripts go in on stdin (`nft -f -`: one transaction,
 * however many elements), so nothing is ever interpolated into a shell. It only ever
 * names the table it is asked about; it never lists or flushes the whole ruleset.
 */
export class NftCliDriver implements NftDriver {
  private readonly netns: string | undefined;
  private readonly timeoutMs: number;
  private readonly run: RunCommand;
  private readonly session: NftSession | null;

  constructor(options: NftCliDriverOptions = {}) {
    this.netns = options.netns;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.run = options.run ?? runCommand;
    this.session = options.session === false ? null : new NftSession({ command: inNetns(this.netns, 'nft', ['-i']), timeoutMs: this.timeoutMs });
  }

  async applyScript(script: string): Promise<void> {
    if (/^\s*flush\s+ruleset\b/m.test(script)) throw new Error('refusing a script that flushes the whole ruleset');
    const line = this.session ? elementScriptAsLine(script) : null;
    if (line === '') return;
    if (line !== null && this.session) await this.session.run(line);
    else await this.nft(['-f', '-'], script);
  }

  /** Stops the `nft -i` child, if any (it also ends by itself when this process exits). */
  close(): void {
    this.session?.close();
  }

  async readTable(tableName: string): Promise<ObservedNftTable | null> {
    let stdout: string;
    try {
      ({ stdout } = await this.nft(['-j', 'list', 'table', 'ip', checkedTableName(tableName)]));
    } catch (error) {
      if (error instanceof CommandError && /No such file or directory/.test(error.stderr)) return null;
      throw error;
    }
    const parsed = await parseNftTableJsonInChunks(stdout, tableName);
    if (!parsed.ok) throw new Error(`nft -j list table ip ${tableName}: ${parsed.reason}`);
    return parsed.value;
  }

  async deleteTable(tableName: string): Promise<void> {
    const table = checkedTableName(tableName);
    // Declaring it first makes the delete succeed whether or not the table exists.
    await this.applyScript(`table ip ${table} {}\ndelete table ip ${table}\n`);
  }

  private nft(args: string[], stdin?: string) {
    const [file, fullArgs] = inNetns(this.netns, 'nft', args);
    return this.run(file, fullArgs, { stdin, timeoutMs: this.timeoutMs });
  }
}

/**
 * An element-only script (each top-level statement `add element …` or `delete element …`,
 * newlines inside its braces) as one line of `;`-separated statements, which nft runs as
 * one transaction as it does a file; '' for an empty script; null for anything else.
 */
export function elementScriptAsLine(script: string): string | null {
  if (script.length > SESSION_MAX_SCRIPT || /[#"'\\;\r]/.test(script)) return null;
  const statements: string[] = [];
  let depth = 0;
  for (const raw of script.split('\n')) {
    const text = raw.trim();
    if (text === '') continue;
    if (depth === 0) {
      if (!/^(add|delete) element /.test(text)) return null;
      statements.push(text);
    } else {
      statements[statements.length - 1] += ` ${text}`;
    }
    for (const char of text) {
      if (char === '{') depth += 1;
      else if (char === '}') depth -= 1;
      if (depth < 0) return null;
    }
  }
  return depth === 0 ? statements.join('; ') : null;
}
