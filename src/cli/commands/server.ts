import { join } from 'node:path';
import type { Command } from 'commander';
import { startServer } from '../../server/main.ts';
import { webUiLine } from '../../server/web/static.ts';
import { loadDemoFleet } from '../../server/demo/demo.ts';
import type { Io } from '../context.ts';

export function registerServerCommand(program: Command, io: Io): void {
  program
    .command('server')
    .description('run the control plane: HTTP API, database, desired state for gateways and agents')
    .option('--listen <host:port>', 'where to listen', '127.0.0.1:8080')
    .option('--database <url>', 'sqlite:PATH (default: sqlite:<data-dir>/plantgate.db) or postgres://…')
    .option('--data-dir <dir>', 'data directory (SQLite file, master key)', './data')
    .option('--admin-email <email>', 'platform operator account created on first start (env PLANTGATE_ADMIN_EMAIL)')
    .option('--admin-password <password>', 'its password (env PLANTGATE_ADMIN_PASSWORD; without it a one-time password is printed once)')
    .option('--tunnel-range <cidr>', 'tunnel range, fixed at first start (default 100.64.0.0/12)')
    .option('--mapped-space <cidr>', 'mapped space, fixed at first start (default 100.80.0.0/12)')
    .option('--demo', 'load a small demo fleet with overlapping plants')
    .action(
      async (opts: { listen: string; database?: string; dataDir: string; adminEmail?: string; adminPassword?: string; tunnelRange?: string; mappedSpace?: string; demo?: boolean }) => {
        const server = await startServer(
          {
            listen: opts.listen,
            database: opts.database ?? io.env.PLANTGATE_DATABASE,
            dataDir: opts.dataDir,
            adminEmail: opts.adminEmail ?? io.env.PLANTGATE_ADMIN_EMAIL,
            adminPassword: opts.adminPassword ?? io.env.PLANTGATE_ADMIN_PASSWORD,
            tunnelRange: opts.tunnelRange,
            mappedSpace: opts.mappedSpace,
          },
          io.out,
        );
        if (opts.demo) {
          const lines = await loadDemoFleet(server.ctx);
          for (const line of lines) io.out(line);
        }
        io.out(webUiLine(server.url));
        io.out(`plantgate control plane on ${server.url} (API ${server.url}/api/v1, OpenAPI ${server.url}/api/openapi.json; data in ${join(opts.dataDir)})`);
        await new Promise<void>((resolve) => {
          const stop = () => {
            io.out('stopping');
            server.close().then(resolve, resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );
}
