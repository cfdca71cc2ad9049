import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeviceForm, PlantCreateForm, parsePorts, SubnetForm, splitList } from './plant-forms.ts';

function firstMessage(result: { success: boolean; error?: { issues: Array<{ message: string; path: PropertyKey[] }> } }, field: string): string | undefined {
  return result.error?.issues.find((i) => i.path.join('.') === field)?.message;
}

test('D4: a subnet is checked as it is typed: malformed, host bits set (with the fix), valid', () => {
  assert.match(firstMessage(SubnetForm.safeParse({ cidr: '192.168.1' }), 'cidr') ?? '', /not a CIDR/);
  assert.match(firstMessage(SubnetForm.safeParse({ cidr: '192.168.1.5/24' }), 'cidr') ?? '', /host bits set; did you mean 192\.168\.1\.0\/24/);
  assert.match(firstMessage(SubnetForm.safeParse({ cidr: '' }), 'cidr') ?? '', /is required/);
  assert.equal(SubnetForm.safeParse({ cidr: ' 10.20.0.0/16 ' }).success, true);
});

test('a new plant: name required, every listed subnet must be a CIDR', () => {
  assert.deepEqual(splitList(' 10.0.0.0/24,192.168.1.0/24\n172.16.0.0/12 '), ['10.0.0.0/24', '192.168.1.0/24', '172.16.0.0/12']);
  assert.equal(PlantCreateForm.safeParse({ name: 'Park D', subnets: '' }).success, true);
  assert.match(firstMessage(PlantCreateForm.safeParse({ name: 'Park D', subnets: '10.0.0.0/24, 10.0.0.1/24' }), 'subnets') ?? '', /host bits/);
  assert.ok(firstMessage(PlantCreateForm.safeParse({ name: '  ', subnets: '' }), 'name'));
});

test('a device: IPv4 address and port list are checked', () => {
  assert.deepEqual(parsePorts('80, 502 22'), [80, 502, 22]);
  assert.deepEqual(parsePorts(''), []);
  assert.equal(parsePorts('80, 70000'), null);
  assert.equal(parsePorts('http'), null);
  assert.match(firstMessage(DeviceForm.safeParse({ name: 'x', ip: '192.168.1.300', kind: '', ports: '' }), 'ip') ?? '', /IPv4/);
  assert.match(firstMessage(DeviceForm.safeParse({ name: 'x', ip: '192.168.1.3', kind: '', ports: '0' }), 'ports') ?? '', /1–65535/);
  assert.equal(DeviceForm.safeParse({ name: 'logger', ip: '192.168.1.5', kind: 'data-logger', ports: '80,22' }).success, true);
});
