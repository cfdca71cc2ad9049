import type { z } from 'zod';
import { type ManualProblem, type ManualRendered, manualEntryProblems, manualFieldOfLine, renderManualEntry } from '../../../core/direct-vpn/manual-entry.ts';
import { parseOpenVpnConfig } from '../../../core/direct-vpn/openvpn-config.ts';
import type { UploadProblem } from '../../../core/direct-vpn/upload-result.ts';
import { parseWireGuardConfig } from '../../../core/direct-vpn/wireguard-config.ts';
import type { DirectVpnCreateRequest } from '../../../core/wire/direct-vpn.ts';
import { generateWireGuardKeyPair } from '../../../crypto/wireguard-keys.ts';
import { ApiError, badRequest } from '../../http/errors.ts';

type ManualBody = z.output<typeof DirectVpnCreateRequest>['manual'];

/** What of a create or edit request decides the config text. */
export type SourceInput = {
  protocol: 'wireguard' | 'openvpn';
  transport: 'udp' | 'tcp';
  config?: string | undefined;
  manual?: ManualBody;
  /** Create: manual entry must name the subnets; an edit keeps the ones in place. */
  subnetsRequired: boolean;
  subnets?: string[] | undefined;
};

/** The config text an outgoing create is checked from: the upload, or the manual entry rendered (one path for both). */
export type OutgoingSource = {
  configText: string;
  /** Set for manual entry: maps the parser's lines back to `manual.<field>`. */
  rendered: ManualRendered | null;
  /** The server made the agent's WireGuard key pair (manual entry without `privateKey`). */
  generatedKey: boolean;
};

/**
 * `agentKey`: the WireGuard private key when the entry gives none — on create a new pair's
 * (generated: true), on an edit the key in place (the router already knows its public half).
 */
export function outgoingSource(
  body: SourceInput,
  agentKey: () => { privateKey: string; generated: boolean } = () => ({ privateKey: generateWireGuardKeyPair().privateKey, generated: true }),
): OutgoingSource {
  if (body.config !== undefined && body.manual !== undefined) {
    throw badRequest('manual', 'give either config (the uploaded .conf/.ovpn) or manual (endpoint and keys by hand), not both');
  }
  if (body.manual === undefined) {
    if (body.config === undefined) {
      throw badRequest('config', "upload the plant router's .conf (WireGuard) or .ovpn (OpenVPN), or enter endpoint and keys by hand as manual");
    }
    return { configText: body.config, rendered: null, generatedKey: false };
  }
  let entry = body.manual;
  let generatedKey = false;
  if (body.protocol === 'wireguard' && (entry.privateKey === undefined || entry.privateKey.trim() === '')) {
    const key = agentKey();
    entry = { ...entry, privateKey: key.privateKey };
    generatedKey = key.generated;
  }
  const problems = manualEntryProblems(body.protocol, entry);
  if (problems.length > 0) throw manualRefusal(problems);
  const rendered = renderManualEntry({ protocol: body.protocol, transport: body.transport, entry, subnets: [] });
  // Manual entry names no ranges of its own: the subnets are chosen explicitly (not rendered
  // into AllowedIPs, so a bad subnet is refused as `subnets`, not as a config line). The
  // entry's own problems come first, so a form checking one step at a time sees them there.
  if (body.subnetsRequired && (body.subnets === undefined || body.subnets.length === 0)) {
    const parsed = body.protocol === 'wireguard' ? parseWireGuardConfig(rendered.text) : parseOpenVpnConfig(rendered.text);
    if (!parsed.ok) throw manualParseRefusal(rendered, parsed.problems);
    throw badRequest('subnets', 'name the plant subnets behind the router (entered by hand, the connection names no ranges of its own)');
  }
  return { configText: rendered.text, rendered, generatedKey };
}

/** The parser's refusal of a rendered manual entry, each problem under the field its line came from. */
export function manualParseRefusal(rendered: ManualRendered, problems: UploadProblem[]): ApiError {
  return manualRefusal(
    problems.map((p) => {
      const field = manualFieldOfLine(rendered, p.line);
      return { field: field === null ? 'manual' : `manual.${field}`, message: p.message } as ManualProblem;
    }),
  );
}

function manualRefusal(problems: ManualProblem[]): ApiError {
  const first = problems[0] as ManualProblem;
  return new ApiError(400, 'invalid', `${first.field}: ${first.message}`, {
    field: first.field,
    problems: problems.map((p) => ({ field: p.field, message: p.message })),
  });
}
