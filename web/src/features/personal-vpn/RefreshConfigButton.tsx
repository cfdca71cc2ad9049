import { Button, FileButton, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { request } from '../../api/client.ts';
import { api } from '../../api/endpoints.ts';
import { refreshConfig } from './refresh-config.ts';
import { ShowOnceConfig } from './ShowOnceConfig.tsx';
import type { ShownOnceConfig } from './use-profile.ts';

/** Choose the config file you have; get it back with today's routes (the key stays, and stays here). */
export function RefreshConfigButton({ label = 'Refresh a config file…' }: { label?: string }) {
  const client = useQueryClient();
  const refresh = useMutation({
    mutationFn: async (file: File): Promise<ShownOnceConfig> => {
      const parts = await request(api.profile);
      client.setQueryData(['profile'], parts);
      const result = await refreshConfig(await file.text(), parts);
      if (!result.ok) throw new Error(result.message);
      return { type: 'wireguard', text: result.text, fileName: file.name, parts, verb: 'refreshed' };
    },
  });
  return (
    <Stack gap={4}>
      <FileButton onChange={(file) => file && refresh.mutate(file)} accept=".conf,text/plain">
        {(props) => (
          <Button variant="default" loading={refresh.isPending} {...props}>
            {label}
          </Button>
        )}
      </FileButton>
      {refresh.error && (
        <Text c="red.9" size="sm" role="alert">
          {refresh.error.message}
        </Text>
      )}
      {refresh.data && <ShowOnceConfig config={refresh.data} onClose={() => refresh.reset()} />}
    </Stack>
  );
}
