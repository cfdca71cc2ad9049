import { parseNftTableJsonInChunks, type ObservedNftTable } from '../nft-table-json.ts';
import { checkedTableName } from '../nft-ruleset.ts';
import type { NftDriver } from './nft-driver.ts';
import { CommandError, inNetns, type RunCommand, runCommand } from './run-command.ts';

export type NftCliDriverOptions = {
  /** Network namespace to work in; the host namespace when absent. */
  netns?: string;
  timeoutMs?: number;
  run?: RunCommand;
};

/**
 * NftDriver over the `nft` CLI. Scripts go in on stdin (`nft -f -`: one transaction,
 * however many elements), so nothing is ever interpolated into a shell. It only ever
 * names the table it is asked about; it never lists or flushes the whole ruleset.
 */
export class NftCliDriver implements NftDriver {
  private readonly netns: string | undefined;
  private readonly timeoutMs: number;
  private readonly run: RunCommand;

  constructor(options: NftCliDriverOptions = {}) {
    this.netns = options.netns;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.run = options.run ?? runCommand;
  }

  async applyScript(script: string): Promise<void> {
    if (/^\s*flush\s+ruleset\b/m.test(script)) throw new Error('refusing a script that flushes the whole ruleset');
    await this.nft(['-f', '-'], script);
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
