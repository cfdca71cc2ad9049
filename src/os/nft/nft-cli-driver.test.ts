import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNetnsCapable, NetnsLab } from '../../../test/e2e/netns.ts';
import { elementScriptAsLine, NftCliDriver } from './nft-cli-driver.ts';
import { nftDriverContract } from './nft-driver.contract.ts';

nftDriverContract('NftCliDriver in a network namespace (element changes through the nft -i session)', async () => {
  await assertNetnsCapable();
  const lab = new NetnsLab();
  const ns = await lab.addNamespace('nft');
  const driver = new NftCliDriver({ netns: ns });
  return { driver, tableName: 'plantgate', teardown: async () => { driver.close(); await lab.cleanup(); } };
});

nftDriverContract('NftCliDriver in a network namespace, session off (every script an nft -f)', async () => {
  await assertNetnsCapable();
  const lab = new NetnsLab();
  const ns = await lab.addNamespace('nfo');
  return { driver: new NftCliDriver({ netns: ns, session: false }), tableName: 'plantgate', teardown: () => lab.cleanup() };
});

describe('elementScriptAsLine: which scripts the nft -i session runs', () => {
  const cases: { name: string; script: string; line: string | null }[] = [
    { name: 'an empty script', script: '', line: '' },
    {
      name: 'a delta as renderSetDelta writes it: one statement per block, in order',
      script: 'delete element ip t allowed_24 {\n\t1.2.3.4 . 5.6.7.0,\n\t1.2.3.5 . 5.6.7.0\n}\nadd element ip t native_1_2_3 {\n\t1.2.3.4 . 10.0.0.0/24 : 100.80.0.0/24\n}\n',
      line: 'delete element ip t allowed_24 { 1.2.3.4 . 5.6.7.0, 1.2.3.5 . 5.6.7.0 }; add element ip t native_1_2_3 { 1.2.3.4 . 10.0.0.0/24 : 100.80.0.0/24 }',
    },
    { name: 'a table load (structure) goes to nft -f', script: 'table ip t {\n\tset s { type ipv4_addr; }\n}\n', line: null },
    { name: 'a delete of the table goes to nft -f', script: 'table ip t {}\ndelete table ip t\n', line: null },
    { name: 'a comment (would swallow the rest of the line)', script: 'add element ip t s { 1.2.3.4 } # x\n', line: null },
    { name: 'unbalanced braces', script: 'add element ip t s {\n1.2.3.4\n', line: null },
    { name: 'a statement other than add/delete element', script: 'flush set ip t s\n', line: null },
  ];
  for (const { name, script, line } of cases) it(name, () => assert.equal(elementScriptAsLine(script), line));
});

describe('NftCliDriver session: the nft -i child', () => {
  let lab: NetnsLab;
  let driver: NftCliDriver;
  const table = 'plantgate';
  const members = async () => {
    const observed = await driver.readTable(table);
    return observed?.sets.find((set) => set.name === 'allowed_24') ? (observed.allowed.map((e) => `${e.userIp} . ${e.mapped}`).sort()) : null;
  };
  before(async () => {
    await assertNetnsCapable();
    lab = new NetnsLab();
    driver = new NftCliDriver({ netns: await lab.addNamespace('nfs'), timeoutMs: 5_000 });
    await driver.applyScript(`table ip ${table} {\n\tset allowed_24 { type ipv4_addr . ipv4_addr; }\n}\n`);
  });
  after(async () => {
    driver?.close();
    await lab?.cleanup();
  });

  it('a revoke (delete element) is in force when applyScript resolves, and applying it twice is refused like nft -f', async () => {
    await driver.applyScript(`add element ip ${table} allowed_24 {\n\t100.64.0.1 . 100.80.1.0\n}\n`);
    assert.deepEqual(await members(), ['100.64.0.1 . 100.80.1.0/24']);
    await driver.applyScript(`delete element ip ${table} allowed_24 {\n\t100.64.0.1 . 100.80.1.0\n}\n`);
    assert.deepEqual(await members(), []);
    await assert.rejects(driver.applyScript(`delete element ip ${table} allowed_24 {\n\t100.64.0.1 . 100.80.1.0\n}\n`), /No such file or directory/);
    // the session goes on after an error
    await driver.applyScript(`add element ip ${table} allowed_24 {\n\t100.64.0.2 . 100.80.1.0\n}\n`);
    assert.deepEqual(await members(), ['100.64.0.2 . 100.80.1.0/24']);
  });

  it('a child that died is replaced by the next command (its pid changes, the command applies)', async () => {
    await driver.applyScript(`add element ip ${table} allowed_24 {\n\t100.64.0.3 . 100.80.1.0\n}\n`);
    const session = (driver as unknown as { session: { pid: number | null } }).session;
    const first = session.pid;
    assert.ok(first);
    process.kill(first, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await driver.applyScript(`delete element ip ${table} allowed_24 {\n\t100.64.0.3 . 100.80.1.0\n}\n`);
    assert.ok(session.pid && session.pid !== first);
    assert.deepEqual(await members(), ['100.64.0.2 . 100.80.1.0/24']);
  });

  it('commands issued together run one after the other, each with its own outcome', async () => {
    const add = (ip: string) => driver.applyScript(`add element ip ${table} allowed_24 {\n\t${ip} . 100.80.2.0\n}\n`);
    const results = await Promise.allSettled([add('100.64.1.1'), driver.applyScript(`delete element ip ${table} allowed_24 { 100.64.9.9 . 100.80.2.0 }\n`), add('100.64.1.2')]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(await members(), ['100.64.0.2 . 100.80.1.0/24', '100.64.1.1 . 100.80.2.0/24', '100.64.1.2 . 100.80.2.0/24']);
  });
});
