import type { z } from 'zod';
import type { OrgChangeResult } from '../../core/wire/org.ts';
import { type Io, printJson } from '../context.ts';
import { renderChanges } from '../org-render.ts';

/** Every change prints what the server changed and the revision the gateways now get (or the answer as JSON). */
export function printChange(io: Io, result: z.infer<typeof OrgChangeResult>, json: boolean | undefined): void {
  if (json) printJson(io, result);
  else io.out(renderChanges(result));
}

export const JSON_HELP = 'print JSON';
