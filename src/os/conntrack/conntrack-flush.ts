import { CommandError, inNetns, type RunCommand, runCommand } from '../run-command.ts';

/**
 * Port: forget the tracked connections of one address (`conntrack -D -s ADDR` and
 * `-D -d ADDR`). The gateway calls it for an OpenVPN client it has just killed (revoke,
 * rotate, issue 11): the nft sets already drop the flows' packets, and with the entries gone
 * nothing of them (a NAT mapping, a counter) outlives the session. Implementations:
 * ConntrackCliFlush and FakeConntrackFlush; both pass conntrack-flush.contract.ts.
 */
export interface ConntrackFlush {
  /** Deletes every entry with `address` as original source or destination; resolves with how many went. */
  flushAddress(address: string): Promise<number>;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export class ConntrackCliFlush implements ConntrackFlush {
  private readonly netns: string | undefined;
  private readonly run: RunCommand;

  constructor(options: { netns?: string; run?: RunCommand } = {}) {
    this.netns = options.netns;
    this.run = options.run ?? runCommand;
  }

  async flushAddress(address: string): Promise<number> {
    if (!IPV4.test(address)) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
    let deleted = 0;
    for (const direction of ['-s', '-d']) {
      const [file, args] = inNetns(this.netns, 'conntrack', ['-D', direction, address]);
      try {
        const { stderr } = await this.run(file, args, { timeoutMs: 10_000 });
        deleted += countDeleted(stderr);
      } catch (error) {
        // conntrack exits 1 when nothing matched ("0 flow entries have been deleted")
        if (error instanceof CommandError && /0 flow entries/.test(error.stderr)) continue;
        throw error;
      }
    }
    return deleted;
  }
}

function countDeleted(stderr: string): number {
  return Number(/(\d+) flow entries have been deleted/.exec(stderr)?.[1] ?? 0);
}

/** In memory: entries as source → destination pairs. */
export class FakeConntrackFlush implements ConntrackFlush {
  readonly entries: Array<{ source: string; destination: string }> = [];
  readonly flushed: string[] = [];

  async flushAddress(address: string): Promise<number> {
    if (!IPV4.test(address)) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
    this.flushed.push(address);
    const before = this.entries.length;
    const kept = this.entries.filter((e) => e.source !== address && e.destination !== address);
    this.entries.splice(0, this.entries.length, ...kept);
    return before - kept.length;
  }
}
