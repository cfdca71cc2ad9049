import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiRequestError } from '../../api/client.ts';
import { devicesOfRefusal, errorsByField } from './refusals.ts';

test('D4/D5 inline: each refusal lands on its field; an upload keeps every line and directive it names', () => {
  const rows: Array<[string, Parameters<typeof errorsByField>, Record<string, string>]> = [
    [
      'a refused upload: every problem with its line',
      [
        [
          { field: 'config', message: 'PostUp runs a shell command', line: 5, directive: 'PostUp' },
          { field: 'config', message: 'unknown directive', line: 9, directive: 'Foo' },
        ],
      ],
      { config: 'line 5 (PostUp): PostUp runs a shell command; line 9 (Foo): unknown directive' },
    ],
    [
      'subnet clashes under their own row, the field prefix dropped',
      [[{ field: 'subnets[1]', message: 'subnets[1]: 192.168.1.0/24 overlaps 192.168.1.0/24, a VPN route of organization SolarCo' }]],
      { 'subnets[1]': '192.168.1.0/24 overlaps 192.168.1.0/24, a VPN route of organization SolarCo' },
    ],
    ['no problems: the refusal’s own field', [[], { field: 'name', message: 'name: is taken' }], { name: 'is taken' }],
    ['no field at all: nothing to place', [[], { message: 'hosted: not yet' }], {}],
  ];
  for (const [name, args, expected] of rows) assert.deepEqual(errorsByField(...args), expected, name);
});

test('D8: the devices a subnet-has-devices refusal lists; any other refusal lists none', () => {
  const d8 = new ApiRequestError(409, 'subnet-has-devices', 'confirm: …', 'confirm', [
    { field: 'devices', message: 'rtu-7 (10.40.0.7)' },
    { field: 'devices', message: 'meter (10.40.0.8)' },
  ]);
  assert.deepEqual(devicesOfRefusal(d8), ['rtu-7 (10.40.0.7)', 'meter (10.40.0.8)']);
  assert.equal(devicesOfRefusal(new ApiRequestError(409, 'subnet-overlap', 'x')), null);
  assert.equal(devicesOfRefusal(new Error('x')), null);
});
