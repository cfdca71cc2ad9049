import { Button, Group, Stack, Text, TextInput } from '@mantine/core';

/**
 * The plant subnets of a direct VPN, one field each, so the server's refusal of
 * `subnets[i]` (D4: malformed, a default route, or clashing with a named owner) sits
 * under the range it is about.
 */
export function SubnetListInput(props: {
  subnets: string[];
  onChange: (subnets: string[]) => void;
  /** Server refusals by field (`subnets[1]`, or `subnets` for the list as a whole). */
  errors: Record<string, string>;
}) {
  const { subnets, onChange, errors } = props;
  const set = (index: number, value: string) => onChange(subnets.map((s, i) => (i === index ? value : s)));
  return (
    <Stack gap="xs">
      {subnets.map((subnet, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the rows are positions (subnets[i]) the server's messages name
        <Group key={index} align="flex-start" wrap="nowrap">
          <TextInput
            style={{ flex: 1 }}
            label={`Plant subnet ${index + 1}`}
            placeholder="e.g. 192.168.10.0/24"
            value={subnet}
            onChange={(e) => set(index, e.currentTarget.value)}
            error={errors[`subnets[${index}]`]}
            data-testid="subnet-input"
          />
          {subnets.length > 1 && (
            <Button
              mt={25}
              variant="subtle"
              color="red"
              onClick={() => onChange(subnets.filter((_, i) => i !== index))}
              aria-label={`Remove subnet ${index + 1}`}
            >
              Remove
            </Button>
          )}
        </Group>
      ))}
      {errors.subnets && (
        <Text c="red.9" size="sm" role="alert">
          {errors.subnets}
        </Text>
      )}
      <Group>
        <Button variant="default" size="xs" onClick={() => onChange([...subnets, ''])}>
          Add a subnet
        </Button>
      </Group>
    </Stack>
  );
}
