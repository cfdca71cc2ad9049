// memoised: a full table repeats ~10,000 user IPs and prefixes 100,000 times (the reconcile reads it back)
import { memoCanonicalAddress as canonicalAddress, memoCanonicalPrefix as canonicalPrefix } from '../../core/net/ipv4.ts';
import {
  type AllowedElement,
  allowedSetLength,
  compareShards,
  type NativeElement,
  nativeMapShard,
  nativeShard,
} from './nft-elements.ts';
import type { ParseResult } from '../wireguard/wg-dump.ts';

/**
 * Parses `nft -j list table ip NAME` into what the planner compares: the table's
 * structure (sets, chains, a readable summary of each rule) and the elements of
 * plantgate's `allowed_N` sets (one per mapped prefix length) and `native_A_B_C` maps
 * (one per /24 of users; decision 0003) in canonical form.
 *
 * Rules are summarised in nft-like text ("iifname == pgu0 … accept") rather than
 * compared as raw JSON, which changes between nft releases; anything the summariser
 * does not know is kept as JSON, so an unknown rule reads as drift and forces a reload.
 */

export type ObservedNftSet = {
  name: string;
  /** Key type, e.g. ["ipv4_addr", "ipv4_addr"] for a concatenation. */
  keyType: string[];
  /** Data type of a map, null for a set. */
  dataType: string | null;
  flags: string[];
};

export type ObservedNftChain = {
  name: string;
  type: string | null;
  hook: string | null;
  prio: number | null;
  policy: string | null;
  rules: string[];
};

export type ObservedNftTable = {
  sets: ObservedNftSet[];
  chains: ObservedNftChain[];
  /** The elements of every `allowed_N` set, as user ip . mapped prefix (empty when there is none). */
  allowed: AllowedElement[];
  /** The N of every `allowed_N` set in the table, ascending (empty sets included). */
  allowedLengths: number[];
  /** The elements of every `native_A_B_C` map (empty when there is none). */
  native: NativeElement[];
  /** The A.B.C of every `native_A_B_C` map in the table, in numeric order. */
  nativeShards: string[];
  /** Elements of `allowed_N`/`native_A_B_C` not in plantgate's own form (ranges, host bits, …): drift. */
  foreignElements: string[];
};

export function parseNftTableJson(text: string, tableName: string): ParseResult<ObservedNftTable> {
  const steps = parseSteps(text, tableName);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same, with the event loop running between chunks of elements: a gateway's daemon
 * reads 100,000 elements back on every reconcile, and a revoke arriving meanwhile must not
 * wait for the whole parse (only JSON.parse itself is one piece).
 */
export async function parseNftTableJsonInChunks(text: string, tableName: string): Promise<ParseResult<ObservedNftTable>> {
  const steps = parseSteps(text, tableName);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const CHUNK = 5000;

function* parseSteps(text: string, tableName: string): Generator<void, ParseResult<ObservedNftTable>> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const items = (document as { nftables?: unknown })?.nftables;
  if (!Array.isArray(items)) return { ok: false, reason: 'no "nftables" array' };

  const table: ObservedNftTable = {
    sets: [],
    chains: [],
    allowed: [],
    allowedLengths: [],
    native: [],
    nativeShards: [],
    foreignElements: [],
  };
  const chainsByName = new Map<string, ObservedNftChain>();
  for (const item of items as Array<Record<string, Record<string, unknown>>>) {
    const [kind] = Object.keys(item);
    const body = item[kind];
    if (body.table !== undefined && body.table !== tableName) continue;
    if (kind === 'set' || kind === 'map') {
      const set: ObservedNftSet = {
        name: String(body.name),
        keyType: Array.isArray(body.type) ? body.type.map(String) : [String(body.type)],
        dataType: kind === 'map' ? String(body.map) : null,
        flags: Array.isArray(body.flags) ? body.flags.map(String) : [],
      };
      table.sets.push(set);
      const elements = Array.isArray(body.elem) ? body.elem : [];
      const length = kind === 'set' ? allowedSetLength(set.name) : null;
      if (length !== null) {
        table.allowedLengths.push(length);
        // A loop, not push(...): a set of a B1-size gateway holds 100,000+ elements, more arguments than the stack takes.
        for (let start = 0; start < elements.length; start += CHUNK) {
          for (const element of parseAllowedElements(set.name, length, elements.slice(start, start + CHUNK), table.foreignElements)) table.allowed.push(element);
          yield;
        }
      }
      const shard = kind === 'map' ? nativeMapShard(set.name) : null;
      if (shard !== null) {
        table.nativeShards.push(shard);
        for (let start = 0; start < elements.length; start += CHUNK) {
          for (const element of parseNativeElements(set.name, shard, elements.slice(start, start + CHUNK), table.foreignElements)) table.native.push(element);
          yield;
        }
      }
    } else if (kind === 'chain') {
      const chain: ObservedNftChain = {
        name: String(body.name),
        type: typeof body.type === 'string' ? body.type : null,
        hook: typeof body.hook === 'string' ? body.hook : null,
        prio: typeof body.prio === 'number' ? body.prio : null,
        policy: typeof body.policy === 'string' ? body.policy : null,
        rules: [],
      };
      chainsByName.set(chain.name, chain);
      table.chains.push(chain);
    } else if (kind === 'rule') {
      const chain = chainsByName.get(String(body.chain));
      const expressions = Array.isArray(body.expr) ? body.expr : [];
      chain?.rules.push(expressions.map(describeStatement).join(' '));
    }
  }
  table.allowedLengths.sort((a, b) => a - b);
  table.nativeShards.sort(compareShards);
  return { ok: true, value: table };
}

/** {"concat": ["100.64.0.2", "100.80.1.0"]} in allowed_24 → 100.64.0.2 . 100.80.1.0/24; host bits set → foreign. */
function parseAllowedElements(name: string, length: number, elements: unknown[], foreign: string[]): AllowedElement[] {
  const parsed: AllowedElement[] = [];
  for (const element of elements) {
    const parts = (unwrapElem(element) as { concat?: unknown })?.concat;
    let ours: AllowedElement | null = null;
    if (Array.isArray(parts) && parts.length === 2 && typeof parts[0] === 'string' && typeof parts[1] === 'string') {
      try {
        const network = canonicalAddress(parts[1]);
        const mapped = canonicalPrefix(`${network}/${length}`);
        if (mapped === `${network}/${length}`) ours = { userIp: canonicalAddress(parts[0]), mapped };
      } catch {
        // not an address: not ours
      }
    }
    if (ours) parsed.push(ours);
    else foreign.push(`${name}: ${JSON.stringify(element)}`);
  }
  return parsed;
}

/** A native entry of a user outside the map's shard is not ours (its rule never sees that user). */
function parseNativeElements(name: string, shard: string, elements: unknown[], foreign: string[]): NativeElement[] {
  const parsed: NativeElement[] = [];
  for (const element of elements) {
    const entry = Array.isArray(element) && element.length === 2 ? element : null;
    const pair = entry ? concatPair(unwrapElem(entry[0])) : null;
    const mapped = entry ? prefixValue(unwrapElem(entry[1])) : null;
    if (pair && mapped && nativeShard(pair.userIp) === shard) parsed.push({ userIp: pair.userIp, native: pair.prefix, mapped });
    else foreign.push(`${name}: ${JSON.stringify(element)}`);
  }
  return parsed;
}


/** Elements with a timeout or comment come wrapped as {"elem": {"val": …}}. */
function unwrapElem(value: unknown): unknown {
  const wrapped = (value as { elem?: { val?: unknown } })?.elem;
  return wrapped && 'val' in wrapped ? wrapped.val : value;
}

/** {"concat": ["100.64.0.2", {"prefix": …} | "100.80.5.7"]} → user ip and canonical prefix. */
function concatPair(value: unknown) {
  const parts = (value as { concat?: unknown })?.concat;
  if (!Array.isArray(parts) || parts.length !== 2 || typeof parts[0] !== 'string') return null;
  const prefix = prefixValue(parts[1]);
  if (!prefix) return null;
  try {
    return { userIp: canonicalAddress(parts[0]), prefix };
  } catch {
    return null;
  }
}

/** A bare address (nft's spelling of a /32) or {"prefix": {"addr", "len"}}; ranges are not ours. */
function prefixValue(value: unknown) {
  try {
    if (typeof value === 'string') return canonicalPrefix(value);
    const prefix = (value as { prefix?: { addr?: unknown; len?: unknown } })?.prefix;
    if (prefix && typeof prefix.addr === 'string' && typeof prefix.len === 'number') {
      return canonicalPrefix(`${prefix.addr}/${prefix.len}`);
    }
  } catch {
    // falls through: not one of ours
  }
  return null;
}

/** One JSON statement → nft-like text. */
function describeStatement(statement: Record<string, unknown>): string {
  const [kind] = Object.keys(statement);
  const body = statement[kind] as Record<string, unknown> | null;
  switch (kind) {
    case 'match':
      return `${describeValue(body?.left)} ${String(body?.op)} ${describeValue(body?.right)}`;
    case 'accept':
    case 'drop':
    case 'masquerade':
      return body === null ? kind : `${kind} ${JSON.stringify(body)}`;
    case 'dnat':
    case 'snat': {
      const prefix = body?.type_flags === 'prefix' ? 'prefix ' : '';
      return `${kind} ${String(body?.family ?? '')} ${prefix}to ${describeValue(body?.addr)}`.replace(/ {2}/g, ' ');
    }
    default:
      return JSON.stringify(statement);
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `{ ${value.map(describeValue).join(', ')} }`;
  const object = value as Record<string, Record<string, unknown>>;
  if (object?.meta) return String(object.meta.key);
  if (object?.payload) return `${object.payload.protocol} ${object.payload.field}`;
  if (object?.fib) return `fib ${(object.fib.flags as unknown as string[]).join(' . ')} ${String(object.fib.result)}`;
  if (object?.ct) return ['ct', object.ct.dir, object.ct.key].filter((part) => part !== undefined).join(' ');
  for (const op of ['&', '|', '^']) {
    const operands = (value as Record<string, unknown>)?.[op];
    if (Array.isArray(operands) && operands.length === 2) {
      return `${describeValue(operands[0])} ${op} ${describeValue(operands[1])}`;
    }
  }
  if (object?.concat) return (object.concat as unknown as unknown[]).map(describeValue).join(' . ');
  if (object?.prefix) return `${object.prefix.addr}/${object.prefix.len}`;
  if (object?.set) return describeValue(object.set);
  if (object?.map) return `${describeValue(object.map.key)} map ${describeValue(object.map.data)}`;
  return JSON.stringify(value);
}
