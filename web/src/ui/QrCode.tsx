import { Text } from '@mantine/core';
import { toCanvas } from 'qrcode';
import { useEffect, useRef, useState } from 'react';

/**
 * A QR code drawn on a canvas: the text (a private key, a TOTP secret) never becomes
 * a URL, not even a data: URL.
 */
export function QrCode({ text, label, size = 240 }: { text: string; label: string; size?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    toCanvas(canvas.current, text, { width: size, margin: 2, errorCorrectionLevel: 'M' }).then(
      () => setError(null),
      (e: Error) => setError(e.message),
    );
  }, [text, size]);
  if (error) return <Text c="red.9">QR code not available: {error}</Text>;
  return <canvas ref={canvas} role="img" aria-label={label} width={size} height={size} style={{ maxWidth: '100%', height: 'auto' }} />;
}
