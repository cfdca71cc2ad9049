import { generateKeyPairSync } from 'node:crypto';
import { type ChainHead, EMPTY_HEAD, appendToChain } from './chain.ts';
import { type Checkpoint, signCheckpoint } from './checkpoint.ts';
import type { StoredFlow } from './flow.ts';

/** Test helpers for the audit core: a key pair, records, a chain with checkpoints. */
export function testKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const pair = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function flow(i: number, segment: number, plantId = 'plant-a'): Omit<StoredFlow, 'seq'> {
  return {
    plantId,
    recordId: `r${i}`,
    gatewayId: 'gw-1',
    segment,
    ingestedAt: new Date(segment * 86_400_000 + i * 1000).toISOString(),
    userId: 'u-alice',
    userEmail: 'alice@solarco.example',
    tunnelIp: '100.64.0.10',
    orgId: 'org-solarco',
    plantName: 'Park A',
    subnetId: 'sub-1',
    subnetCidr: '192.168.1.0/24',
    subnetMapped: '100.80.0.0/24',
    destinationIp: '100.80.0.17',
    deviceIp: '192.168.1.17',
    deviceName: 'inverter-17',
    protocol: 'tcp',
    port: 502,
    connections: 1 + (i % 3),
    bytesIn: 1000 + i,
    bytesOut: 200 + i,
    firstSeen: new Date(segment * 86_400_000 + i * 1000 - 500).toISOString(),
    lastSeen: new Date(segment * 86_400_000 + i * 1000).toISOString(),
    session: null,
  };
}

/**
 * A chain over `segments` (records per segment) the way the server builds it: a checkpoint
 * each `every` records, and one at each segment boundary stored in the new segment.
 */
export function buildChain(
  privateKeyPem: string,
  segments: number[],
  every = 5,
  plantId = 'plant-a',
): { records: Array<StoredFlow & { hash: string }>; checkpoints: Checkpoint[]; head: ChainHead } {
  let head: ChainHead = EMPTY_HEAD;
  const records: Array<StoredFlow & { hash: string }> = [];
  const checkpoints: Checkpoint[] = [];
  let i = 0;
  segments.forEach((count, index) => {
    const segment = 20_000 + index;
    if (head.seq > 0) checkpoints.push(signCheckpoint(privateKeyPem, { plantId, seq: head.seq, hash: head.hash, recordSegment: head.segment, segment, createdAt: new Date(segment * 86_400_000).toISOString() }));
    for (let k = 0; k < count; k++) {
      const appended = appendToChain(head, [flow(i++, segment, plantId)]);
      records.push(...appended.records);
      head = appended.head;
      if (head.seq % every === 0 && checkpoints.at(-1)?.seq !== head.seq) {
        checkpoints.push(signCheckpoint(privateKeyPem, { plantId, seq: head.seq, hash: head.hash, recordSegment: segment, segment, createdAt: new Date(segment * 86_400_000 + k).toISOString() }));
      }
    }
  });
  return { records, checkpoints, head };
}
