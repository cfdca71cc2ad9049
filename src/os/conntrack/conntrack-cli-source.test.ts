import { assertNetnsCapable, NetnsLab } from '../../../test/e2e/netns.ts';
import { ConntrackCliSource } from './conntrack-cli-source.ts';
import { conntrackSourceContract } from './conntrack-source.contract.ts';

// One TCP connection over the namespace's loopback: the client sends SENT bytes, the server
// answers RECEIVED bytes, both close; prints the client's source port.
const TCP_EXCHANGE = `
import socket, sys, threading
sent, received = int(sys.argv[1]), int(sys.argv[2])
server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', 8080)); server.listen()
def serve():
    conn, _ = server.accept()
    got = 0
    while got < sent:
        got += len(conn.recv(65536))
    conn.sendall(b'r' * received); conn.close()
threading.Thread(target=serve).start()
client = socket.create_connection(('127.0.0.1', 8080), timeout=5)
client.sendall(b's' * sent)
got = 0
while got < received:
    chunk = client.recv(65536)
    if not chunk: break
    got += len(chunk)
print(client.getsockname()[1]); client.close(); server.close()
`;

// Many one-packet UDP flows at once: each is a NEW event (≈ 250 bytes).
const UDP_BURST = `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for port in range(20000, 23000):
    s.sendto(b'x', ('127.0.0.1', port))
`;

conntrackSourceContract('ConntrackCliSource (conntrack-tools) in a network namespace', async () => {
  await assertNetnsCapable();
  const lab = new NetnsLab();
  const ns = await lab.addNamespace('ct');
  // conntrack tracks a namespace only once a rule there uses it (as the gateway's nft table does).
  await lab.exec(ns, 'nft', ['-f', '-'], { stdin: 'table ip pgct {\n chain out {\n type filter hook output priority 0;\n ct state new accept\n }\n}\n' });
  // A small buffer, so that pausing the reader overflows it within a few thousand events.
  const source = new ConntrackCliSource({ netns: ns, bufferBytes: 16384, restartDelayMs: 100 });
  return {
    source,
    connect: async (sent, received) => {
      const { stdout } = await lab.exec(ns, 'python3', ['-c', TCP_EXCHANGE, String(sent), String(received)], { timeoutMs: 10_000 });
      return { sport: Number(stdout.trim()), dport: 8080 };
    },
    destroy: async (sport) => {
      await lab.exec(ns, 'conntrack', ['-D', '-p', 'tcp', '--orig-port-src', String(sport)]);
    },
    overflow: async () => {
      const pid = source.pid;
      if (pid === null) throw new Error('conntrack -E is not running');
      // The reader stops reading (as a busy gateway would); the kernel drops what does not fit.
      process.kill(pid, 'SIGSTOP');
      try {
        await lab.exec(ns, 'python3', ['-c', UDP_BURST], { timeoutMs: 10_000 });
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    },
    interrupt: async () => {
      const pid = source.pid;
      if (pid === null) throw new Error('conntrack -E is not running');
      process.kill(pid, 'SIGKILL');
    },
    teardown: () => lab.cleanup(),
  };
});
