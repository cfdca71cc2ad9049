/**
 * Fills a stopped control plane's database with what a fleet file cannot hold, so the
 * at-scale benchmarks (B3 at scale, idle cost) run against a B1-size gateway state:
 *
 * - an active personal profile for every user who has none (a fresh X25519 public key
 *   made in-process; the private key is thrown away at once — nobody dials with it),
 *   tunnel IPs allocated the way the server does (above every address handed out,
 *   skipping .0/.255);
 * - an agent with a public key for a share of the plants that have none (the gateway's
 *   sites interface then carries ~4,500 site peers, like the B4 fill). Their credential
 *   hash is of a secret nobody holds: they never connect.
 *
 * One transaction per table batch, and one revision bump at the end, so a server started
 * afterwards loads it all. The server must NOT run meanwhile (it keeps its model in memory).
 *
 *   node bench/b3-seed-db.ts --database URL [--skip email,email] [--skip-plant NAME] [--agents 0.9]
 * Prints one line `SEEDED {json}`.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { generateWireGuardKeyPair } from '../src/crypto/wireguard-keys.ts';
import { formatIpv4 } from '../src/core/net/ipv4.ts';
import { loadAddressing } from '../src/server/bootstrap.ts';
import { openStore } from '../src/server/db/connect.ts';
import type { Database } from '../src/server/db/schema.ts';

export type SeedOptions = { databaseUrl: string; skipEmails: readonly string[]; skipPlants: readonly string[]; agentShare: number };
export type SeedResult = { profiles: number; agents: number; ms: number };

const BATCH = 500;

const skipRound = (a: number) => {
  let n = a;
  while (n % 256 === 0 || n % 256 === 255) n++;
  return n;
};

export async function seedDatabase(options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const store = await openStore(options.databaseUrl);
  const { db } = store;
  try {
    const addressing = await loadAddressing(db, {});
    const skip = new Set(options.skipEmails);
    const users = await db.selectFrom('users').select(['id', 'email']).where('platform_operator', '=', 0).orderBy('email').execute();
    const profiled = new Set((await db.selectFrom('profiles').select('user_id').where('status', '=', 'active').execute()).map((r) => r.user_id));
    const top = (await db.selectFrom('profiles').select((eb) => eb.fn.max('tunnel_ip_num').as('top')).executeTakeFirst())?.top;
    let nextIp = top == null ? addressing.firstUserIp : Number(top) + 1;
    const now = new Date().toISOString();
    const profiles: Array<Database['profiles']> = [];
    for (const user of users) {
      if (skip.has(user.email) || profiled.has(user.id)) continue;
      nextIp = skipRound(nextIp);
      profiles.push({
        id: randomUUID(),
        user_id: user.id,
        kind: 'wireguard',
        public_key: generateWireGuardKeyPair().publicKey,
        tunnel_ip: formatIpv4(nextIp),
        tunnel_ip_num: nextIp,
        status: 'active' as const,
        created_at: now,
        rotated_at: null,
        revoked_at: null,
      });
      nextIp++;
    }

    const skipPlants = new Set(options.skipPlants);
    const plants = await db.selectFrom('plants').select(['id', 'name']).orderBy('id').execute();
    const withAgent = new Set((await db.selectFrom('daemons').select('plant_id').where('kind', '=', 'agent').execute()).map((r) => r.plant_id));
    const infraTop = (await db.selectFrom('daemons').select((eb) => eb.fn.max('tunnel_ip_num').as('top')).executeTakeFirst())?.top;
    let nextInfra = infraTop == null ? addressing.serviceTunnelIp + 1 : Number(infraTop) + 1;
    const agents: Array<Omit<Database['daemons'], 'public_address'>> = [];
    // Deterministic share: plant i gets an agent when floor((i+1)·share) moves.
    for (const [i, plant] of plants.entries()) {
      if (skipPlants.has(plant.name) || withAgent.has(plant.id)) continue;
      if (Math.floor((i + 1) * options.agentShare) === Math.floor(i * options.agentShare)) continue;
      nextInfra = skipRound(nextInfra);
      if (nextInfra >= addressing.firstUserIp) throw new Error('the tunnel range has no infrastructure address left for seeded agents');
      agents.push({
        id: randomUUID(),
        kind: 'agent' as const,
        name: `seeded-agent-${i}`,
        region_id: null,
        plant_id: plant.id,
        credential_id: randomBytes(9).toString('base64url'),
        credential_hash: createHash('sha256').update(randomBytes(32)).digest('hex'),
        public_key: generateWireGuardKeyPair().publicKey,
        endpoint: null,
        tunnel_ip: formatIpv4(nextInfra),
        tunnel_ip_num: nextInfra,
        enrolled_at: now,
        last_seen_at: null,
        status: null,
      });
      nextInfra++;
    }

    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < profiles.length; i += BATCH) await trx.insertInto('profiles').values(profiles.slice(i, i + BATCH)).execute();
      for (let i = 0; i < agents.length; i += BATCH) await trx.insertInto('daemons').values(agents.slice(i, i + BATCH)).execute();
      await trx.updateTable('state_revision').set((eb) => ({ revision: eb('revision', '+', 1) })).where('id', '=', 1).execute();
    });
    return { profiles: profiles.length, agents: agents.length, ms: Math.round(performance.now() - started) };
  } finally {
    await store.close();
  }
}


if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      database: { type: 'string' },
      skip: { type: 'string', default: '' },
      'skip-plant': { type: 'string', multiple: true, default: [] },
      agents: { type: 'string', default: '0.9' },
    },
  });
  if (!values.database) throw new Error('--database URL is required');
  const agentShare = Number(values.agents);
  if (!(agentShare >= 0 && agentShare <= 1)) throw new Error('--agents: a share between 0 and 1');
  const result = await seedDatabase({
    databaseUrl: values.database,
    skipEmails: values.skip.split(',').filter(Boolean),
    skipPlants: values['skip-plant'],
    agentShare,
  });
  console.log(`SEEDED ${JSON.stringify(result)}`);
}
