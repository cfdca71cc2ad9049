import { z } from 'zod';
import { parseCidr, parseIpv4 } from '../../../../../src/core/net/ipv4.ts';
import { DeviceRequest, PlantCreateRequest, PlantRenameRequest, SubnetAddRequest } from '../../../../../src/core/wire/org.ts';

/**
 * The plant forms, checked as the user types with the wire schemas plus the CIDR and
 * address rules of src/core/net (the server applies the same, and more: overlaps with
 * the reserved ranges and the plant's other subnets, which it names when it refuses).
 */

/** "192.168.1.0/24, 10.0.0.0/24" (commas, spaces or lines) → the CIDRs. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The first problem of a CIDR (the core parser's words, e.g. "has host bits set; did you mean …?"), or null. */
export function cidrProblem(text: string): string | null {
  const parsed = parseCidr(text.trim());
  return parsed.ok ? null : parsed.message;
}

/** "80, 502" → [80, 502]; null when one is not a port number. */
export function parsePorts(text: string): number[] | null {
  const ports = splitList(text).map((p) => (/^\d{1,5}$/.test(p) ? Number(p) : Number.NaN));
  return ports.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535) ? ports : null;
}

export const SubnetForm = SubnetAddRequest.extend({
  cidr: SubnetAddRequest.shape.cidr.superRefine((v, ctx) => {
    const problem = v.trim() ? cidrProblem(v) : null;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
});

export const PlantCreateForm = z.object({
  name: PlantCreateRequest.shape.name,
  subnets: z.string().superRefine((v, ctx) => {
    for (const cidr of splitList(v)) {
      const problem = cidrProblem(cidr);
      if (problem) return ctx.addIssue({ code: 'custom', message: problem });
    }
  }),
});

export const PlantRenameForm = PlantRenameRequest;

export const DeviceForm = z.object({
  name: DeviceRequest.shape.name,
  ip: DeviceRequest.shape.ip.refine((v) => v.trim() === '' || parseIpv4(v.trim()) !== null, 'must be an IPv4 address (a.b.c.d)'),
  kind: z.string().trim().max(60, 'must be at most 60 characters'),
  ports: z.string().refine((v) => parsePorts(v) !== null, 'must be port numbers 1–65535, separated by commas'),
});

export function deviceRequest(values: z.output<typeof DeviceForm>): z.input<typeof DeviceRequest> {
  return { name: values.name, ip: values.ip.trim(), kind: values.kind.trim() || 'device', ports: parsePorts(values.ports) ?? [] };
}
