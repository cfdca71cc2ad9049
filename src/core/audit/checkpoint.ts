import { createPublicKey, sign, verify } from 'node:crypto';

/**
 * A signed checkpoint: the server states "plant P's chain had hash H at position N at
 * time T" with its Ed25519 audit key. Anyone with the public key can check it; a chain
 * rewritten after the fact no longer matches the checkpoints signed before.
 *
 * `segment` is the segment the checkpoint is stored in: a checkpoint made when a new
 * segment opens lives in the new segment, so purging the old one keeps the checkpoint
 * that anchors the rest of the chain.
 */
export type Checkpoint = {
  plantId: string;
  seq: number;
  hash: string;
  /** The segment record #seq was stored in: a verifier can tell a purge (old enough) from a deletion. */
  recordSegment: number;
  segment: number;
  createdAt: string;
  signature: string;
};

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature'>;

export function checkpointMessage(c: UnsignedCheckpoint): Buffer {
  return Buffer.from(`plantgate-audit-checkpoint/v1\n${c.plantId}\n${c.seq}\n${c.hash}\n${c.recordSegment}\n${c.segment}\n${c.createdAt}`, 'utf8');
}

/** Signs with a PKCS#8 PEM Ed25519 private key; the signature is base64. */
export function signCheckpoint(privateKeyPem: string, c: UnsignedCheckpoint): Checkpoint {
  const signature = sign(null, checkpointMessage(c), privateKeyPem).toString('base64');
  return { ...c, signature };
}

export function verifyCheckpoint(publicKeyPem: string, c: Checkpoint): boolean {
  try {
    return verify(null, checkpointMessage(c), createPublicKey(publicKeyPem), Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}
