/** A WireGuard key is 32 bytes in standard base64 (44 characters, one `=`). */
export function isWireGuardKey(text: string): boolean {
  return /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(text);
}
