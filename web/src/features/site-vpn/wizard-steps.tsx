import {
  Alert,
  Autocomplete,
  FileInput,
  Group,
  List,
  NativeSelect,
  NumberInput,
  PasswordInput,
  Radio,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import type { DirectVpnReviewWire } from '../../../../src/core/wire/direct-vpn.ts';
import { SubnetListInput } from './SubnetListInput.tsx';
import { UPLOAD_ACCEPT, type WizardValues } from './wizard-model.ts';

type StepProps = { values: WizardValues; change: (patch: Partial<WizardValues>) => void; errors: Record<string, string> };

export function DirectionStep({ values, change, errors }: StepProps) {
  return (
    <Radio.Group
      label="Where does the VPN server live?"
      value={values.direction}
      onChange={(v) => change({ direction: v as WizardValues['direction'] })}
      error={errors.direction}
    >
      <Stack mt="xs">
        <Radio
          value="outgoing"
          label="Outgoing connection: plantgate connects to the plant router"
          description="The router runs its own VPN server; the plant's agent dials out as its client. You need the router's .conf / .ovpn, or its endpoint and keys."
        />
        <Radio
          value="hosted"
          label="Hosted here: the plant router connects to plantgate"
          description="The agent runs the VPN server; plantgate provisions endpoint, port and keys and hands you the router's profile once. For routers that can only dial out."
        />
      </Stack>
    </Radio.Group>
  );
}

const CIPHERS = ['AES-256-GCM', 'AES-128-GCM', 'CHACHA20-POLY1305', 'AES-256-CBC', 'AES-128-CBC', 'BF-CBC'];
const DIGESTS = ['SHA256', 'SHA512', 'SHA1', 'MD5'];
const COMPRESSION = ['comp-lzo', 'comp-lzo no', 'compress lz4-v2', 'compress lz4', 'compress stub-v2'];

export function BasicsStep({ values, change, errors }: StepProps) {
  const openvpn = values.protocol === 'openvpn';
  return (
    <Stack>
      <TextInput label="Name" required value={values.name} onChange={(e) => change({ name: e.currentTarget.value })} error={errors.name} data-autofocus />
      <TextInput
        label="Description (optional)"
        value={values.description}
        onChange={(e) => change({ description: e.currentTarget.value })}
        error={errors.description}
      />
      <Group align="flex-end">
        <Stack gap={4}>
          <Text size="sm" fw={700} id="protocol-label">
            Protocol
          </Text>
          <SegmentedControl
            aria-labelledby="protocol-label"
            value={values.protocol}
            onChange={(v) => change({ protocol: v as WizardValues['protocol'], config: '', fileName: '' })}
            data={[
              { value: 'wireguard', label: 'WireGuard' },
              { value: 'openvpn', label: 'OpenVPN' },
            ]}
          />
        </Stack>
        {openvpn && (
          <NativeSelect
            label="Transport"
            value={values.transport}
            onChange={(e) => change({ transport: e.currentTarget.value as WizardValues['transport'] })}
            data={[
              { value: 'udp', label: 'UDP' },
              { value: 'tcp', label: 'TCP' },
            ]}
            error={errors.transport}
          />
        )}
      </Group>
      {openvpn && (
        <details className="advanced">
          <summary>Advanced: match a legacy router (cipher, digest, TLS, compression)</summary>
          <Text size="sm" my="xs">
            Empty fields keep what the uploaded profile says (or OpenVPN's defaults). Set them when old firmware needs e.g. AES-128-CBC, SHA1, TLS 1.0 and LZO.
          </Text>
          <Group grow align="flex-start">
            <Autocomplete
              label="Data cipher"
              data={CIPHERS}
              value={values.cipher}
              onChange={(cipher) => change({ cipher })}
              error={errors['advanced.cipher']}
            />
            <Autocomplete label="Auth digest" data={DIGESTS} value={values.auth} onChange={(auth) => change({ auth })} error={errors['advanced.auth']} />
          </Group>
          <Group grow align="flex-start" mt="xs">
            <NativeSelect
              label="Minimum TLS version"
              value={values.tlsMin}
              onChange={(e) => change({ tlsMin: e.currentTarget.value })}
              data={[{ value: '', label: 'as in the profile' }, ...['1.0', '1.1', '1.2', '1.3'].map((v) => ({ value: v, label: `TLS ${v}` }))]}
              error={errors['advanced.tlsMin']}
            />
            <Autocomplete
              label="Compression"
              data={COMPRESSION}
              value={values.compression}
              onChange={(compression) => change({ compression })}
              error={errors['advanced.compression']}
            />
          </Group>
        </details>
      )}
    </Stack>
  );
}

export function ConnectionStep({ values, change, errors }: StepProps) {
  if (values.direction === 'hosted') {
    return (
      <Stack>
        <Text size="sm">plantgate provisions the server: the agent's public address and a free port unless you name them, and the keys.</Text>
        <Group grow align="flex-start">
          <TextInput
            label="Dial-in host (optional)"
            description="Default: the agent's public address"
            value={values.listenHost}
            onChange={(e) => change({ listenHost: e.currentTarget.value })}
            error={errors['listen.host'] ?? errors.listen}
          />
          <NumberInput
            label="Dial-in port (optional)"
            description="Default: allocated"
            min={1}
            max={65535}
            value={values.listenPort}
            onChange={(v) => change({ listenPort: String(v) })}
            error={errors['listen.port']}
          />
        </Group>
        <TextInput
          label="First site client"
          description="The plant router that dials in; its profile is shown once after Apply"
          placeholder="Park-Router"
          value={values.siteClientName}
          onChange={(e) => change({ siteClientName: e.currentTarget.value })}
          error={errors.siteClientName}
        />
      </Stack>
    );
  }
  const wireguard = values.protocol === 'wireguard';
  const m = values.manual;
  const setManual = (patch: Partial<WizardValues['manual']>) => change({ manual: { ...m, ...patch }, config: values.source === 'manual' ? '' : values.config });
  return (
    <Stack>
      <SegmentedControl
        aria-label="How to give the connection details"
        value={values.source}
        onChange={(v) => change({ source: v as WizardValues['source'] })}
        data={[
          { value: 'upload', label: 'Upload the router’s file' },
          { value: 'manual', label: 'Enter by hand' },
        ]}
      />
      {values.source === 'upload' ? (
        <FileInput
          label={wireguard ? 'WireGuard configuration (.conf)' : 'OpenVPN profile (.ovpn)'}
          description="Read by plantgate's own parser: commands (PostUp, up, script-security…) are refused, default routes removed"
          placeholder={values.fileName || 'Choose a file'}
          accept={UPLOAD_ACCEPT[values.protocol]}
          value={null}
          onChange={async (file) => {
            if (file) change({ config: await file.text(), fileName: file.name });
          }}
          error={errors.config}
          data-testid="config-upload"
        />
      ) : wireguard ? (
        <Stack>
          <TextInput
            label="Router endpoint (host:port)"
            placeholder="router.example.net:51820"
            value={m.endpoint}
            onChange={(e) => setManual({ endpoint: e.currentTarget.value })}
            error={errors['manual.endpoint']}
          />
          <TextInput
            label="Router public key"
            value={m.peerPublicKey}
            onChange={(e) => setManual({ peerPublicKey: e.currentTarget.value })}
            error={errors['manual.peerPublicKey']}
          />
          <PasswordInput
            label="Agent private key (optional)"
            description="Stored sealed; never shown again. Empty: plantgate makes the key pair and the card shows the public key to enter on the router"
            value={m.privateKey}
            onChange={(e) => setManual({ privateKey: e.currentTarget.value })}
            error={errors['manual.privateKey']}
          />
          <Group grow>
            <TextInput
              label="Agent tunnel address"
              placeholder="10.99.0.2/32"
              value={m.address}
              onChange={(e) => setManual({ address: e.currentTarget.value })}
              error={errors['manual.address']}
            />
            <PasswordInput
              label="Pre-shared key (optional)"
              value={m.presharedKey}
              onChange={(e) => setManual({ presharedKey: e.currentTarget.value })}
              error={errors['manual.presharedKey']}
            />
          </Group>
          {(errors.manual ?? errors.config) && <FieldAlert message={(errors.manual ?? errors.config) as string} />}
        </Stack>
      ) : (
        <Stack>
          <TextInput
            label="Router endpoint (host:port)"
            placeholder="router.example.net:1194"
            value={m.endpoint}
            onChange={(e) => setManual({ endpoint: e.currentTarget.value })}
            error={errors['manual.endpoint']}
          />
          <Textarea
            label="CA certificate (PEM)"
            autosize
            minRows={2}
            maxRows={6}
            value={m.ca}
            onChange={(e) => setManual({ ca: e.currentTarget.value })}
            error={errors['manual.ca']}
          />
          <Textarea
            label="Client certificate (PEM)"
            autosize
            minRows={2}
            maxRows={6}
            value={m.cert}
            onChange={(e) => setManual({ cert: e.currentTarget.value })}
            error={errors['manual.cert']}
          />
          <Textarea
            label="Client key (PEM)"
            description="Stored sealed; never shown again"
            autosize
            minRows={2}
            maxRows={6}
            value={m.key}
            onChange={(e) => setManual({ key: e.currentTarget.value })}
            error={errors['manual.key']}
          />
          {(errors.manual ?? errors.config) && <FieldAlert message={(errors.manual ?? errors.config) as string} />}
        </Stack>
      )}
      {values.source === 'upload' && values.fileName && !errors.config && (
        <Text size="sm" data-testid="uploaded-file">
          Loaded {values.fileName} ({values.config.length} characters).
        </Text>
      )}
    </Stack>
  );
}

function FieldAlert({ message }: { message: string }) {
  return (
    <Text c="red.9" size="sm" role="alert">
      {message}
    </Text>
  );
}

export function SubnetsStep({ values, change, errors, review }: StepProps & { review: DirectVpnReviewWire | null }) {
  return (
    <Stack>
      <Text size="sm">
        The plant's local ranges behind the router. Each is checked against the tunnel range, the mapped space, the plant's other subnets and its other direct
        VPNs.
      </Text>
      {review && review.stripped.length > 0 && <StrippedNotice review={review} />}
      {values.direction === 'outgoing' && !errors.subnets && (review === null || review.subnetsFromConfig.length === 0) && (
        <Text size="sm" fw={600}>
          The upload names no plant range of its own: enter the ranges behind the router.
        </Text>
      )}
      <SubnetListInput subnets={values.subnets} onChange={(subnets) => change({ subnets })} errors={errors} />
    </Stack>
  );
}

function StrippedNotice({ review }: { review: DirectVpnReviewWire }) {
  return (
    <Alert color="red" variant="outline" title="Default route removed" data-testid="stripped-notice">
      <Text size="sm">A direct VPN never carries all traffic. Removed from the upload: name the plant ranges explicitly.</Text>
      <List size="sm">
        {review.stripped.map((s) => (
          <List.Item key={`${s.line}-${s.what}`}>
            {s.what} {s.line > 0 ? `(line ${s.line})` : ''}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

export function ReviewStep({ values, change, errors, review }: StepProps & { review: DirectVpnReviewWire }) {
  const rows: Array<[string, string]> = [
    ['Direction', review.direction === 'hosted' ? 'Hosted here (Server): the plant router dials in' : 'Outgoing (Client): the agent dials the plant router'],
    ['Name', values.name],
    ['Protocol', review.protocol === 'wireguard' ? 'WireGuard' : `OpenVPN over ${values.transport.toUpperCase()}`],
    ['Plant subnets', review.subnets.join(', ') || 'none'],
  ];
  if (review.subnetsFromConfig.length) rows.push(['Ranges the upload names', review.subnetsFromConfig.join(', ')]);
  if (review.crypto) {
    const c = review.crypto;
    rows.push(['Crypto', [c.cipher, c.auth, c.tlsMin && `TLS ≥ ${c.tlsMin}`, c.compression].filter(Boolean).join(' · ') || 'OpenVPN defaults']);
  }
  if (review.direction === 'hosted') rows.push(['First site client', values.siteClientName || 'named by plantgate']);
  return (
    <Stack>
      <Title order={3} size="h5">
        What will be created
      </Title>
      <Table className="stack-table" data-testid="review" verticalSpacing={4}>
        <Table.Tbody>
          {rows.map(([k, v]) => (
            <Table.Tr key={k}>
              <Table.Th scope="row" w={200}>
                {k}
              </Table.Th>
              <Table.Td data-label={k}>{v}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {review.stripped.length > 0 && <StrippedNotice review={review} />}
      {review.ignored.length > 0 && (
        <Alert color="blue" variant="outline" title="Ignored (they would only change the agent host's own settings)" data-testid="ignored-notice">
          <List size="sm">
            {review.ignored.map((i) => (
              <List.Item key={`${i.line}-${i.directive}`}>
                {i.directive} (line {i.line})
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      {review.needsCredentials && (
        <Stack gap="xs" data-testid="credentials">
          <Text size="sm" fw={600}>
            The router asks for a username and password (auth-user-pass). They are stored sealed and never shown again.
          </Text>
          <Group grow align="flex-start">
            <TextInput
              label="Username"
              value={values.username}
              onChange={(e) => change({ username: e.currentTarget.value })}
              error={errors['credentials.username'] ?? errors.credentials}
            />
            <PasswordInput
              label="Password"
              value={values.password}
              onChange={(e) => change({ password: e.currentTarget.value })}
              error={errors['credentials.password']}
            />
          </Group>
        </Stack>
      )}
    </Stack>
  );
}
