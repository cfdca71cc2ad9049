import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditDatabase } from '../../db/audit-schema.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { insertAuditKey, readAuditKey } from './key-store.ts';

export type AuditKey = { privateKeyPem: string; publicKeyPem: string; fingerprint: string };

const KEY_ID = 'checkpoint-ed25519';
const SEAL_CONTEXT = 'audit_checkpoint_key';

/**
 * The Ed25519 key that signs checkpoints: generated once, its private half sealed with the
 * server's master key like every other server secret (SPEC S3), its public half exportable
 * to auditors (GET /audit/public-key).
 */
export async function loadAuditKey(db: Kysely<AuditDatabase>, box: SecretBox, now: Date): Promise<AuditKey> {
  let row = await readAuditKey(db, KEY_ID);
  if (!row) {
    const pair = generateKeyPairSync('ed25519');
    const privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await insertAuditKey(db, { id: KEY_ID, private_sealed: box.seal(privateKeyPem, SEAL_CONTEXT), public_pem: publicKeyPem, created_at: now.toISOString() });
    row = await readAuditKey(db, KEY_ID);
    if (!row) throw new Error('the audit checkpoint key could not be stored');
  }
  return { privateKeyPem: box.open(row.private_sealed, SEAL_CONTEXT), publicKeyPem: row.public_pem, fingerprint: keyFingerprint(row.public_pem) };
}

/** SHA-256 of the DER public key, hex: what an auditor compares out of band. */
export function keyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}
