import type { Generated } from 'kysely';

/** Row shapes of the store. Domain types live in src/core; the store maps between them. */
export interface Database {
  meta: { key: string; value: string };
  state_revision: { id: number; revision: number };
  /** One row per recent revision: the gateways' document change (JSON, or null when too large), the plants whose agent document moved, whether the gateway set moved. */
  state_changes: { revision: number; changes: string | null; plants: string; gateways: number };
  users: {
    id: string;
    email: string;
    name: string;
    password_hash: string | null;
    platform_operator: number;
    totp_secret: string | null;
    totp_enabled: Generated<number>;
    totp_last_step: number | null;
    created_at: string;
    /** Set while an operator has the account disabled: no login, no token works. */
    disabled_at: string | null;
    /** 1 after an operator reset: the password works once, to set a new one. */
    password_must_change: Generated<number>;
  };
  totp_recovery_codes: { user_id: string; code_hash: string; used_at: string | null };
  api_tokens: {
    id: string;
    user_id: string;
    name: string;
    kind: 'session' | 'personal';
    secret_hash: string;
    created_at: string;
    expires_at: string | null;
    revoked_at: string | null;
    last_used_at: string | null;
  };
  organizations: { id: string; name: string; created_at: string };
  memberships: { org_id: string; user_id: string; role: string };
  plants: { id: string; org_id: string; name: string; created_at: string };
  /** Direct plant VPNs (issue 9): `config` is the model without secrets (JSON), `secrets` sealed (SecretBox), `subnets` a JSON list. */
  direct_vpns: {
    id: string;
    plant_id: string;
    name: string;
    description: string;
    direction: 'outgoing' | 'hosted';
    protocol: 'wireguard' | 'openvpn';
    transport: 'udp' | 'tcp';
    config: string;
    secrets: string | null;
    subnets: string;
    enabled: number;
    created_by: string | null;
    created_at: string;
    updated_at: string;
    /** Hosted (0012): where clients dial, and the server's tunnel network; null for outgoing. */
    listen_host: Generated<string | null>;
    listen_port: Generated<number | null>;
    tunnel_network: Generated<string | null>;
    /** 0013: bumped by `site-vpn restart`. */
    restart_generation: Generated<number>;
  };
  /** A hosted direct VPN's site and user clients (0012): public halves only, never a client's private key. */
  direct_vpn_clients: {
    id: string;
    direct_vpn_id: string;
    name: string;
    kind: 'site' | 'user';
    tunnel_ip: string;
    subnets: string;
    public_key: string | null;
    certificate: string | null;
    serial: string | null;
    created_by: string | null;
    created_at: string;
  };
  /** 0018: browser proxy targets (docs/browser-proxy.md); `host` is the fixed subdomain label. */
  web_targets: {
    id: string;
    plant_id: string;
    device_id: string;
    host: string;
    name: string | null;
    scheme: 'http' | 'https';
    port: number;
    path: string;
    created_by: string | null;
    created_at: string;
    updated_at: string;
  };
  /** 0018: proxy sessions: only the grant token's SHA-256 (hex), never the token. */
  proxy_sessions: {
    id: string;
    target_id: string;
    user_id: string;
    token_id: string;
    grant_hash: string;
    grant_expires_at: string;
    opened_at: string;
    expires_at: string;
    closed_at: string | null;
    close_reason: string | null;
  };
  /** 0013: the latest report of each direct VPN (written in the daemons' status flush). */
  direct_vpn_live: {
    direct_vpn_id: string;
    state: string;
    since: string;
    bytes_in: number;
    bytes_out: number;
    rate_in: number;
    rate_out: number;
    reported_at: string;
    logs: string;
    checks: string;
    clients: string;
  };
  /** 0013: D11 discovery runs (request and result as JSON). */
  discoveries: {
    id: string;
    plant_id: string;
    requested_by: string | null;
    requested_at: string;
    expires_at: string;
    request: string;
    status: 'pending' | 'done' | 'failed' | 'expired';
    finished_at: string | null;
    result: string | null;
    error: string | null;
  };
  subnets: { id: string; plant_id: string; cidr: string; mapped: string; created_at: string };
  devices: { id: string; plant_id: string; name: string; ip: string; kind: string; ports: string };
  portfolios: { id: string; org_id: string; name: string };
  portfolio_plants: { portfolio_id: string; plant_id: string };
  cooperations: { id: string; owner_org_id: string; partner_org_id: string; created_at: string; ended_at: string | null };
  cooperation_plants: { cooperation_id: string; plant_id: string };
  cooperation_portfolios: { cooperation_id: string; portfolio_id: string };
  job_roles: {
    id: string;
    user_id: string;
    plant_id: string | null;
    portfolio_id: string | null;
    role: string;
    cooperation_id: string | null;
  };
  /** `resume_priority_seq`: on a disabled route, the priority choice it gets back when re-enabled. */
  route_prefs: { user_id: string; subnet_id: string; kind: 'priority' | 'disabled'; seq: number; resume_priority_seq: number | null };
  /** Every WireGuard public key in use, unique across profiles (retired keys included), daemons and the service. */
  wireguard_keys: { public_key: string; owner: 'profile' | 'gateway' | 'agent' | 'service' | 'org-vpn-client'; profile_id: string | null; daemon_id: string | null; created_at: string };
  profiles: {
    id: string;
    user_id: string;
    kind: string;
    public_key: string;
    tunnel_ip: string;
    tunnel_ip_num: number;
    status: 'active' | 'revoked';
    created_at: string;
    rotated_at: string | null;
    revoked_at: string | null;
    /** OpenVPN profiles (0021): the current certificate; null for WireGuard. */
    cert_serial?: string | null;
    cert_fingerprint?: string | null;
    cert_not_after?: string | null;
  };
  /** 0021: the installation's user CA and the gateways' OpenVPN server certificate (keys sealed). */
  user_ca: {
    id: number;
    certificate: string;
    key_sealed: string;
    server_certificate: string;
    server_key_sealed: string;
    tls_crypt_sealed: string;
    created_at: string;
  };
  /** 0021: every certificate issued to a profile; revoked_at set = on the CRL. */
  profile_certificates: { serial: string; profile_id: string; fingerprint: string; not_after: string; issued_at: string; revoked_at: string | null };
  retired_keys: { public_key: string; profile_id: string; retired_at: string };
  regions: { id: string; name: string; endpoint: string; created_at: string; drained_at: string | null };
  /** Organization VPNs (issue 12, SPEC O1; migration 0019). */
  org_vpns: { id: string; org_id: string; name: string; region_id: string; protocol: 'wireguard' | 'openvpn'; created_at: string; created_by: string | null };
  org_vpn_plants: { vpn_id: string; plant_id: string };
  /** Clients of organization VPNs; `networks` is a JSON array of CIDRs (a site's announced networks); a removed client keeps its row (its tunnel IP is not reused). */
  org_vpn_clients: {
    id: string;
    vpn_id: string;
    name: string;
    kind: 'site' | 'device';
    public_key: string;
    tunnel_ip: string;
    tunnel_ip_num: number;
    networks: string;
    created_at: string;
    removed_at: string | null;
    /** 0022: an OpenVPN client's current certificate (public_key is then `openvpn:<serial>`). */
    cert_serial: string | null;
    cert_fingerprint: string | null;
    cert_not_after: string | null;
  };
  /** 0022: every certificate issued to an organization VPN client (no foreign key: a deleted VPN's stay on the CRL). */
  org_vpn_certificates: { serial: string; client_id: string; vpn_id: string; fingerprint: string; not_after: string; issued_at: string; revoked_at: string | null };
  enrolment_tokens: {
    id: string;
    kind: 'gateway' | 'agent';
    secret_hash: string;
    region_id: string | null;
    plant_id: string | null;
    created_by: string | null;
    created_at: string;
    expires_at: string;
    used_at: string | null;
  };
  /** SPEC P7: one row per VPN session (times in unix seconds; names as they were). */
  vpn_sessions: {
    id: string;
    user_id: string;
    daemon_id: string;
    public_key: string;
    gateway: string;
    region: string;
    started_at: number;
    ended_at: number | null;
    last_handshake_at: number;
    source_address: string | null;
    country: string | null;
    bytes_in: number;
    bytes_out: number;
    last_rx: number;
    last_tx: number;
  };
  /** 0022a: sessions of organization VPN clients (the shape of vpn_sessions, owned by a client). */
  org_vpn_sessions: Omit<Database['vpn_sessions'], 'user_id'> & { client_id: string };
  daemons: {
    id: string;
    kind: 'gateway' | 'agent';
    name: string;
    region_id: string | null;
    plant_id: string | null;
    credential_id: string;
    credential_hash: string;
    public_key: string | null;
    endpoint: string | null;
    tunnel_ip: string;
    tunnel_ip_num: number;
    enrolled_at: string;
    last_seen_at: string | null;
    status: string | null;
    /** Agents (0012): the source address of the last registration, the default listen host of hosted direct VPNs. */
    public_address: Generated<string | null>;
  };
  events: {
    id: Generated<number>;
    at: string;
    actor_user_id: string | null;
    kind: string;
    subject_user_id: string | null;
    details: string;
    /** The organization the event belongs to (org self-service changes and the route moves they caused); null for installation-wide events. */
    org_id: Generated<string | null>;
  };
  /** Show-once invitation links into an organization (issue 8); the token is kept as SHA-256 only. */
  invitations: {
    id: string;
    org_id: string;
    email: string;
    role: string;
    token_hash: string;
    invited_by: string | null;
    created_at: string;
    expires_at: string;
    accepted_at: string | null;
    revoked_at: string | null;
  };
}
