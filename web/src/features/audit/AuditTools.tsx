import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { downloadText } from '../../ui/download.ts';
import { type ExportFormat, exportTrail, useVerify } from './use-audit.ts';

/** Verify the plant's chain on the server, and download the whole trail as CSV or JSON lines. */
export function AuditTools({ plantId, plantName }: { plantId: string; plantName: string }) {
  const verify = useVerify(plantId);
  const exporter = useMutation({
    mutationFn: async (format: ExportFormat) => {
      const text = await exportTrail(plantId, format);
      downloadText(`audit-${plantName.replace(/[^A-Za-z0-9._-]+/g, '-')}.${format}`, text);
      return format;
    },
  });
  const v = verify.data;
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Button variant="default" loading={verify.isPending} onClick={() => verify.mutate()}>
          Verify integrity
        </Button>
        <Button variant="default" loading={exporter.isPending && exporter.variables === 'csv'} onClick={() => exporter.mutate('csv')}>
          Export CSV
        </Button>
        <Button variant="default" loading={exporter.isPending && exporter.variables === 'jsonl'} onClick={() => exporter.mutate('jsonl')}>
          Export JSON lines
        </Button>
      </Group>
      {v?.ok === true && (
        <Alert color="green" variant="outline" styles={{ title: { color: '#1d5a2a' } }} title="Integrity verified" data-testid="verify-result" data-ok="true">
          <Text size="sm">
            Verified {v.records} record{v.records === 1 ? '' : 's'} and {v.checkpoints} signed checkpoint{v.checkpoints === 1 ? '' : 's'}
            {v.firstSeq !== null && v.firstSeq > 1 ? ` (records before #${v.firstSeq} purged by retention)` : ''}
            {v.unsignedTail > 0 ? `; the last ${v.unsignedTail} are covered by the chain head until the next checkpoint` : ''}
            {v.gaps ? `; ${v.gaps} capture gap${v.gaps === 1 ? '' : 's'} recorded in that time (shown above the records)` : ''}.
          </Text>
        </Alert>
      )}
      {v?.ok === false && (
        <Alert color="red" title="Integrity check FAILED" role="alert" data-testid="verify-result" data-ok="false">
          <Text size="sm">
            First failing record: #{v.seq}
            {v.recordId ? ` (id ${v.recordId})` : ''} — {v.problem}
          </Text>
        </Alert>
      )}
      {verify.isError && (
        <Alert color="red" title="Verification could not run" role="alert">
          {verify.error.message}
        </Alert>
      )}
      {exporter.isError && (
        <Alert color="red" title="Export failed" role="alert">
          {exporter.error.message}
        </Alert>
      )}
    </Stack>
  );
}
