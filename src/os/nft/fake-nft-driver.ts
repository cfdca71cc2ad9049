import { canonicalAddress, canonicalPrefix } from '../../core/net/ipv4.ts';
import {
  type AllowedElement,
  allowedSetLength,
  compareShards,
  type NativeElement,
  nativeMapShard,
  nativeShard,
} from './nft-elements.ts';
import { checkedTableName } from './nft-names.ts';
import type { ObservedNftChain, ObservedNftSet, ObservedNftTable } from './nft-table-json.ts';
import type { NftDriver } from './nft-driver.ts';

/**
 * In-memory NftDriver: interprets the subset of nft syntax that plantgate's renderers
 * write (table replace, set/map with elements, chains with rules, add/delete element)
 * in the line layout they write it. Anything else is a syntax error, as in nft. Every
 * script is applied to a copy and committed only if all of it worked, like nft's
 * transactions; deleting an element that is not there fails, like nft.
 */
export class FakeNftDriver implements NftDriver {
  private tables = new Map<string, FakeTable>();
  /** Every script applied successfully, for tests that count transactions. */
  readonly appliedScripts: string[] = [];
  /** How many times a table was read back (`nft -j list table`). */
  reads = 0;

  async applyScript(script: string): Promise<void> {
    if (/^\s*flush\s+ruleset\b/m.test(script)) throw new Error('refusing a script that flushes the whole ruleset');
    const working = cloneTables(this.tables);
    new ScriptInterpreter(working, script).run();
    this.tables = working;
    this.appliedScripts.push(script);
  }

  async readTable(tableName: string): Promise<ObservedNftTable | null> {
    this.reads++;
    const table = this.tables.get(checkedTableName(tableName));
    return table ? observe(table) : null;
  }

  async deleteTable(tableName: string): Promise<void> {
    this.tables.delete(checkedTableName(tableName));
  }
}

type FakeSet = ObservedNftSet & { elements: Map<string, string | null> };
type FakeTable = { sets: Map<string, FakeSet>; chains: ObservedNftChain[] };

const PRIORITIES: Record<string, number> = { dstnat: -100, filter: 0, srcnat: 100, raw: -300, mangle: -150 };

class ScriptInterpreter {
  private readonly tables: Map<string, FakeTable>;
  private readonly lines: string[];
  private index = 0;

  constructor(tables: Map<string, FakeTable>, script: string) {
    this.tables = tables;
    this.lines = script.split('\n').map((line) => line.trim());
  }

  run(): void {
    while (this.index < this.lines.length) {
      const line = this.next();
      if (line === '' || line.startsWith('#')) continue;
      const declared = line.match(/^(?:add )?table ip (\w+) \{\}$/);
      const deleted = line.match(/^delete table ip (\w+)$/);
      const block = line.match(/^(?:add )?table ip (\w+) \{$/);
      const element = line.match(/^(add|delete) element ip (\w+) (\w+) \{(.*)$/);
      if (declared) this.ensureTable(declared[1]);
      else if (deleted) {
        if (!this.tables.delete(deleted[1])) this.fail(line, 'No such file or directory');
      } else if (block) this.tableBlock(this.ensureTable(block[1]));
      else if (element) {
        const [, verb, tableName, setName, rest] = element;
        const set = this.tables.get(tableName)?.sets.get(setName) ?? this.fail(line, 'No such file or directory');
        const inline = rest.trim();
        const texts = inline.endsWith('}') ? splitElements(inline.slice(0, -1)) : this.elementLines();
        for (const text of texts) {
          const [key, value] = parseElement(text, set, line);
          if (verb === 'add') set.elements.set(key, value);
          else if (set.elements.get(key) !== value) this.fail(line, 'No such file or directory');
          else set.elements.delete(key);
        }
      } else this.fail(line, 'syntax error');
    }
  }

  private tableBlock(table: FakeTable): void {
    for (;;) {
      const line = this.next();
      if (line === '}') return;
      if (line === '' || line.startsWith('#') || line.startsWith('comment ')) continue;
      const set = line.match(/^(set|map) (\w+) \{$/);
      const chain = line.match(/^chain (\w+) \{$/);
      if (set) this.setBlock(table, set[2], set[1] === 'map');
      else if (chain) this.chainBlock(table, chain[1]);
      else this.fail(line, 'syntax error');
    }
  }

  private setBlock(table: FakeTable, name: string, isMap: boolean): void {
    const set: FakeSet = { name, keyType: [], dataType: null, flags: [], elements: new Map() };
    for (;;) {
      const line = this.next();
      if (line === '}') break;
      const type = line.match(/^type ([\w .]+?)(?: : (?:interval )?(\w+))?;?$/);
      const flags = line.match(/^flags ([\w, ]+);?$/);
      if (type) {
        set.keyType = type[1].split(' . ');
        set.dataType = type[2] ?? null;
      } else if (flags) set.flags = flags[1].split(/,\s*/);
      else if (line === 'elements = {') {
        for (const text of this.elementLines()) {
          const [key, value] = parseElement(text, set, line);
          set.elements.set(key, value);
        }
      } else this.fail(line, 'syntax error');
    }
    if (isMap !== (set.dataType !== null)) this.fail(`${isMap ? 'map' : 'set'} ${name}`, 'type mismatch');
    table.sets.set(name, set);
  }

  private chainBlock(table: FakeTable, name: string): void {
    const chain: ObservedNftChain = { name, type: null, hook: null, prio: null, policy: null, rules: [] };
    for (;;) {
      const line = this.next();
      if (line === '}') break;
      const base = line.match(/^type (\w+) hook (\w+) priority ([\w-]+);(?: policy (\w+);)?$/);
      if (base) {
        chain.type = base[1];
        chain.hook = base[2];
        chain.prio = PRIORITIES[base[3]] ?? Number(base[3]);
        chain.policy = base[4] ?? 'accept';
      } else if (line !== '' && !line.startsWith('#')) chain.rules.push(summariseRule(line));
    }
    table.chains = table.chains.filter((existing) => existing.name !== name).concat(chain);
  }

  /** Element lines up to the closing brace, commas removed. */
  private elementLines(): string[] {
    const texts: string[] = [];
    for (;;) {
      const line = this.next();
      if (line === '}') return texts;
      texts.push(...splitElements(line));
    }
  }

  private ensureTable(name: string): FakeTable {
    let table = this.tables.get(name);
    if (!table) {
      table = { sets: new Map(), chains: [] };
      this.tables.set(name, table);
    }
    return table;
  }

  private next(): string {
    if (this.index >= this.lines.length) this.fail('<end of script>', 'unexpected end of input');
    return this.lines[this.index++];
  }

  private fail(line: string, reason: string): never {
    throw new Error(`Error: ${reason}: ${line}`);
  }
}

function splitElements(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** "a . b/len" or "a . b/len : c/len" → canonical key and value. */
function parseElement(text: string, set: FakeSet, line: string): [string, string | null] {
  const [keyText, valueText] = text.split(' : ');
  if ((valueText === undefined) !== (set.dataType === null)) throw new Error(`Error: syntax error: ${line}`);
  const parts = keyText.split(' . ');
  if (parts.length !== set.keyType.length) throw new Error(`Error: syntax error: ${line}`);
  // Like nft: a prefix in a set without the interval flag is refused.
  if (!set.flags.includes('interval') && parts.some((part) => part.includes('/'))) {
    throw new Error(`Error: Set member cannot be prefix, missing interval flag: ${line}`);
  }
  try {
    const key = parts.map((part) => (set.flags.includes('interval') ? canonicalPrefix(part) : canonicalAddress(part)));
    return [key.join(' . '), valueText === undefined ? null : canonicalPrefix(valueText)];
  } catch {
    throw new Error(`Error: syntax error: ${line}`);
  }
}

/** Our rule text → the summary parseNftTableJson makes of the same rule in nft's JSON. */
function summariseRule(rule: string): string {
  return rule
    .replace(/"([^"]*)"/g, '$1')
    .replace(/\b(iifname|oifname) (\S+)/g, '$1 == $2')
    .replace(/ (@\w+) (accept|drop)$/, ' == $1 $2')
    // as nft -j prints them: no family on snat; the agent's anonymous sets and maps
    .replace(/^(iifname == \S+ )ip saddr (\d+\.\d+\.\d+\.\d+\/\d+) /, '$1ip saddr == $2 ')
    .replace(/ snat ip to /, ' snat to ')
    // the input chain
    .replace(/^ct state ([\w,]+) /, (_all, states: string) => `ct state in { ${states.split(',').join(', ')} } `)
    .replace(/^fib daddr \. iif type (\w+) icmp type ([\w-]+) /, 'fib daddr . iif type == $1 icmp type == $2 ')
    .replace(/\bct status (\w+)/, 'ct status in $1')
    .replace(/\bct direction (\w+)/, 'ct direction == $1')
    .replace(/\b(ct original ip daddr) \{/, '$1 == {')
    .replace(/(ct original ip daddr == )\{ ([^,}]+) \}/, '$1$2') // nft turns a one-element set into a plain match
    .replace(/map \{ ([^}]*) \}/, (_all, body: string) => `map { ${body.split(', ').map((pair) => `{ ${pair.replace(' : ', ', ')} }`).join(', ')} }`)
    // the agent's hosted-server hairpin rules (issue 9)
    .replace(/^(iifname == \S+ oifname == \S+ )ip saddr (\S+) ip daddr (\{[^}]*\}|\S+) accept$/, '$1ip saddr == $2 ip daddr == $3 accept')
    .replace(/^(iifname == \S+ oifname == \S+ )ip daddr (\S+) (ct direction == reply accept)$/, '$1ip daddr == $2 $3');
}

function observe(table: FakeTable): ObservedNftTable {
  const foreignElements: string[] = [];
  const pairOf = (key: string) => {
    const [userPrefix, prefix] = key.split(' . ');
    return userPrefix.endsWith('/32') ? { userIp: userPrefix.slice(0, -3), prefix } : null;
  };
  // allowed_N: plain sets of "user . network address"; an address with host bits is not ours.
  const allowed: AllowedElement[] = [];
  const allowedLengths: number[] = [];
  for (const set of table.sets.values()) {
    const length = set.dataType === null ? allowedSetLength(set.name) : null;
    if (length === null) continue;
    allowedLengths.push(length);
    for (const key of set.elements.keys()) {
      const [userIp, network] = key.split(' . ');
      const mapped = canonicalPrefix(`${network}/${length}`);
      if (mapped === `${network}/${length}`) allowed.push({ userIp, mapped });
      else foreignElements.push(`${set.name}: ${key}`);
    }
  }
  // native_A_B_C: interval maps of the users in A.B.C.0/24; another user's entry is not ours.
  const native: NativeElement[] = [];
  const nativeShards: string[] = [];
  for (const set of table.sets.values()) {
    const shard = set.dataType !== null ? nativeMapShard(set.name) : null;
    if (shard === null) continue;
    nativeShards.push(shard);
    for (const [key, value] of set.elements) {
      const pair = pairOf(key);
      if (pair && value && nativeShard(pair.userIp) === shard) {
        native.push({ userIp: pair.userIp, native: pair.prefix as NativeElement['native'], mapped: value as NativeElement['mapped'] });
      } else foreignElements.push(`${set.name}: ${key}`);
    }
  }
  return {
    sets: [...table.sets.values()].map(({ elements: _elements, ...set }) => ({ ...set, keyType: [...set.keyType], flags: [...set.flags] })),
    chains: table.chains.map((chain) => ({ ...chain, rules: [...chain.rules] })),
    allowed,
    allowedLengths: allowedLengths.sort((a, b) => a - b),
    native,
    nativeShards: nativeShards.sort(compareShards),
    foreignElements,
  };
}

function cloneTables(tables: Map<string, FakeTable>): Map<string, FakeTable> {
  return new Map(
    [...tables].map(([name, table]) => [
      name,
      {
        sets: new Map([...table.sets].map(([setName, set]) => [setName, { ...set, elements: new Map(set.elements) }])),
        chains: table.chains.map((chain) => ({ ...chain, rules: [...chain.rules] })),
      },
    ]),
  );
}
