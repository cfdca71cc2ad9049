import { Button, CopyButton, Group } from '@mantine/core';
import { downloadText } from './download.ts';

/** The footer of every show-once dialog: download, copy, and the close that loses it. */
export function ShowOnceActions({ fileName, text, onClose }: { fileName: string; text: string; onClose: () => void }) {
  return (
    <Group justify="space-between">
      <Group>
        <Button onClick={() => downloadText(fileName, text)}>Download {fileName}</Button>
        <CopyButton value={text}>
          {({ copied, copy }) => (
            <Button variant="default" onClick={copy}>
              {copied ? 'Copied' : 'Copy to clipboard'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Button variant="default" onClick={onClose}>
        I have saved it, close
      </Button>
    </Group>
  );
}
