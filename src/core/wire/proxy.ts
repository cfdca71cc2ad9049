import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { oneLine } from './formats.ts';
import { printableName } from './printable.ts';

/**
 * Browser proxy (SPEC O2, issue 12): web targets and the one-time grants that open them.
 * The control plane keeps targets and sessions; the region gateways serve each target on
 * its own origin (`https://<host>.<proxy domain>`) and take targets and sessions from
 * their desired document (`proxy` in src/core/wire/gateway-state.ts). Contract in
 * docs/browser-proxy.md.
 */

export const WEB_TARGET_SCHEMES = ['http', 'https'] as const;
export type WebTargetScheme = (typeof WEB_TARGET_SCHEMES)[number];

/** The port a scheme means when none is given. */
export function defaultWebPort(scheme: WebTargetScheme): number {
  return scheme === 'https' ? 443 : 80;
}

const scheme = z.enum(WEB_TARGET_SCHEMES, { message: 'must be http or https' });
const port = z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be 1–65535').max(65535, 'must be 1–65535');
/**
 * Where the browser lands on the device: an absolute path, visible ASCII only (it goes into a
 * `Location` header and an URL), at most 1024 characters.
 */
export const webTargetPath = z
  .string()
  .max(1024, 'must be at most 1024 characters')
  .regex(/^\/[\x21-\x7e]*$/, 'must start with / and contain only visible ASCII characters (no spaces)');
const targetName = printableName(64);
/** A network device of the plant: its id, its name or its real IPv4 address. */
const deviceRef = z.string().trim().min(1, 'must name a network device of the plant (id, name or IP address)').max(253, 'must be at most 253 characters');

export const WebTargetCreateRequest = z.strictObject({
  device: deviceRef,
  scheme: scheme.default('http'),
  /** Default: 80 for http, 443 for https. */
  port: port.optional(),
  path: webTargetPath.default('/'),
  /** Shown in lists instead of "device scheme://…"; default: the device's name. */
  name: targetName.optional(),
});
export type WebTargetCreateRequest = z.infer<typeof WebTargetCreateRequest>;

export const WebTargetUpdateRequest = z.strictObject({
  device: deviceRef.optional(),
  scheme: scheme.optional(),
  port: port.optional(),
  path: webTargetPath.optional(),
  /** null: back to the device's name. */
  name: targetName.nullable().optional(),
});
export type WebTargetUpdateRequest = z.infer<typeof WebTargetUpdateRequest>;

export const WebTargetView = z.strictObject({
  id: z.string(),
  /** The per-target subdomain label (`t-…`): the target is served at `https://<host>.<proxy domain>`. */
  host: z.string(),
  /** The explicit name, or null when the device's name is shown. */
  name: oneLine.nullable(),
  /** What lists show: the name, else the device's name. */
  label: oneLine,
  plantId: z.string(),
  plant: oneLine,
  organizationId: z.string(),
  deviceId: z.string(),
  device: oneLine,
  /** The device's real address in the plant. */
  deviceIp: z.string(),
  scheme,
  port,
  path: z.string(),
  /** The caller may open it (SPEC P4: the same rule as the personal VPN). */
  canOpen: z.boolean(),
  /** The caller may change and remove it. */
  canManage: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WebTargetView = z.infer<typeof WebTargetView>;

export const WebTargetChange = z.strictObject({ target: WebTargetView.nullable(), revision: z.number() });

export const WebTargetOpened = z.strictObject({
  /** `https://<host>.<domain>[:port]/.plantgate/grant?token=…`: one use, valid until `grantExpiresAt`. */
  url: z.string(),
  /** When the grant in `url` runs out (about 30 s): open it at once. */
  grantExpiresAt: z.string(),
  /** When the proxy session ends at the latest (never after the caller's platform session). */
  expiresAt: z.string(),
  sessionId: z.string(),
  target: WebTargetView,
});
export type WebTargetOpened = z.infer<typeof WebTargetOpened>;

/** Whether the server hands out proxy URLs, and for which domain (the UI hides the feature when off). */
export const ProxySettings = z.strictObject({ enabled: z.boolean(), domain: z.string().nullable(), port: port });

export const proxyApi = {
  settings: endpoint({ method: 'GET', path: '/proxy', response: ProxySettings }),
  /** A plant's targets: for its managers and for users who may reach it (404 for anyone else). */
  list: endpoint({ method: 'GET', path: '/plants/:id/web-targets', response: z.array(WebTargetView) }),
  create: endpoint({ method: 'POST', path: '/plants/:id/web-targets', body: WebTargetCreateRequest, response: WebTargetChange }),
  /** `:target` is the target's id, its host label or its name. */
  update: endpoint({ method: 'PUT', path: '/plants/:id/web-targets/:target', body: WebTargetUpdateRequest, response: WebTargetChange }),
  remove: endpoint({ method: 'DELETE', path: '/plants/:id/web-targets/:target', response: WebTargetChange }),
  /** Every target the caller may open, over all plants. */
  mine: endpoint({ method: 'GET', path: '/web-targets', response: z.array(WebTargetView) }),
  /** A one-time grant for one target, bound to the caller's platform session. `:target` is the id or the host label. */
  open: endpoint({ method: 'POST', path: '/web-targets/:target/open', response: WebTargetOpened }),
} as const;
