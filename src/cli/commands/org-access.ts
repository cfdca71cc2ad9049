import type { Command } from 'commander';
import type { JobRoleName } from '../../core/model.ts';
import { orgApi } from '../../core/wire/org.ts';
import { callEndpoint } from '../api-client.ts';
import { CliError, type Io, client, printJson } from '../context.ts';
import { collect, jobRoleArgument, jobRoleTarget, positiveIntArgument } from '../org-args.ts';
import { renderCooperations, renderEvents, renderExplanation, renderJobRoles } from '../org-render-access.ts';
import { renderPortfolios } from '../org-render.ts';
import { JSON_HELP, printChange } from './org-common.ts';

const JOB_ROLE_LABELS = { user: 'EMAIL', role: 'ROLE', plant: '--plant', portfolio: '--portfolio' };

/** `org portfolio…`, job roles, cooperations, `org explain`, `org events`. */
export function registerOrgAccessCommands(org: Command, io: Io): void {
  registerPortfolios(org, io);
  registerJobRoles(org, io);
  registerCooperations(org, io);

  org
    .command('explain <org>')
    .description('why a user reaches (or does not reach) a plant: the verdict, each check, and the routes it gives')
    .requiredOption('--user <email>', 'the user')
    .requiredOption('--plant <plant>', 'the plant')
    .option('--json', JSON_HELP)
    .action(async (name: string, opts: { user: string; plant: string; json?: boolean }) => {
      const explanation = await callEndpoint(client(io), orgApi.explainAccess, {
        params: { org: name },
        query: { user: opts.user, plant: opts.plant },
        labels: { user: '--user', plant: '--plant' },
      });
      if (opts.json) return printJson(io, explanation);
      io.out(renderExplanation(explanation));
    });

  org
    .command('events <org>')
    .description('the organization\u2019s events, newest first (membership, plants, job roles, cooperations, routes moved)')
    .option('--kind <kind>', 'only this kind')
    .option('--user <email>', 'only events by or about this user')
    .option('--since <iso-time>', 'only events at or after this time (2026-01-31T12:00:00Z)')
    .option('--limit <n>', 'how many (1–500, default 50)', positiveIntArgument)
    .option('--before <id>', 'only events older than this id (the next page)', positiveIntArgument)
    .option('--json', JSON_HELP)
    .action(async (name: string, opts: { kind?: string; user?: string; since?: string; limit?: number; before?: number; json?: boolean }) => {
      const page = await callEndpoint(client(io), orgApi.events, {
        params: { org: name },
        query: { kind: opts.kind, user: opts.user, since: opts.since, limit: opts.limit, before: opts.before },
        labels: { kind: '--kind', user: '--user', since: '--since', limit: '--limit', before: '--before' },
      });
      if (opts.json) return printJson(io, page);
      io.out(renderEvents(page));
    });
}

function registerPortfolios(org: Command, io: Io): void {
  org
    .command('portfolios <org>')
    .description('portfolios and their plants')
    .option('--json', JSON_HELP)
    .action(async (name: string, opts: { json?: boolean }) => {
      const portfolios = await callEndpoint(client(io), orgApi.portfolios, { params: { org: name } });
      if (opts.json) return printJson(io, portfolios);
      io.out(renderPortfolios(portfolios));
    });

  const portfolio = org.command('portfolio').description('a named group of plants (job roles on it apply to its plants)');
  portfolio
    .command('add <org> <name>')
    .description('add a portfolio')
    .option('--plant <plant>', 'a plant in it (repeat for more)', collect)
    .option('--json', JSON_HELP)
    .action(async (name: string, portfolioName: string, opts: { plant?: string[]; json?: boolean }) => {
      const result = await callEndpoint(client(io), orgApi.createPortfolio, {
        params: { org: name },
        body: { name: portfolioName, plants: opts.plant ?? [] },
        labels: { name: 'NAME', plants: '--plant' },
      });
      printChange(io, result, opts.json);
    });
  portfolio
    .command('set <org> <name>')
    .description('rename a portfolio and/or replace its plants (the plants you list are all it holds afterwards)')
    .option('--rename <new-name>', 'its new name')
    .option('--plant <plant>', 'a plant it holds (repeat for more); without --plant the plants stay', collect)
    .option('--empty', 'take every plant out of it')
    .option('--json', JSON_HELP)
    .action(async (name: string, portfolioName: string, opts: { rename?: string; plant?: string[]; empty?: boolean; json?: boolean }) => {
      if (opts.empty && opts.plant) throw new CliError('--empty and --plant: give only one', 'usage');
      if (!opts.empty && !opts.plant && opts.rename === undefined) throw new CliError('nothing to change: give --rename NEW-NAME, --plant PLANT (repeatable) or --empty', 'usage');
      const api = client(io);
      let plants = opts.empty ? [] : opts.plant;
      if (plants === undefined) {
        // PUT sets the whole portfolio: keep its plants when only the name changes.
        const current = (await callEndpoint(api, orgApi.portfolios, { params: { org: name } })).find((f) => f.name === portfolioName || f.id === portfolioName);
        if (!current) throw new CliError(`NAME: no portfolio "${portfolioName}" in ${name}`, 'not-found');
        plants = current.plants.map((p) => p.id);
      }
      const result = await callEndpoint(api, orgApi.updatePortfolio, {
        params: { org: name, portfolio: portfolioName },
        body: { name: opts.rename ?? portfolioName, plants },
        labels: { name: '--rename', plants: '--plant' },
      });
      printChange(io, result, opts.json);
    });
  portfolio
    .command('remove <org> <name>')
    .description('remove a portfolio; job roles granted on it end (its plants stay)')
    .option('--json', JSON_HELP)
    .action(async (name: string, portfolioName: string, opts: { json?: boolean }) => {
      printChange(io, await callEndpoint(client(io), orgApi.removePortfolio, { params: { org: name, portfolio: portfolioName } }), opts.json);
    });
}

type TargetOpts = { plant?: string; portfolio?: string; json?: boolean };

function registerJobRoles(org: Command, io: Io): void {
  org
    .command('job-roles <org>')
    .description('job roles on the organization\u2019s plants and portfolios (with those granted within cooperations)')
    .option('--json', JSON_HELP)
    .action(async (name: string, opts: { json?: boolean }) => {
      const roles = await callEndpoint(client(io), orgApi.jobRoles, { params: { org: name } });
      if (opts.json) return printJson(io, roles);
      io.out(renderJobRoles(roles));
    });

  jobRoleCommand(org.command('grant'), 'grant a job role on a plant or a portfolio (replaces the user\u2019s role on that target)').action(
    async (name: string, email: string, role: JobRoleName, opts: TargetOpts) => {
      const body = { user: email, role, ...jobRoleTarget(opts) };
      printChange(io, await callEndpoint(client(io), orgApi.grantJobRole, { params: { org: name }, body, labels: JOB_ROLE_LABELS }), opts.json);
    },
  );

  org
    .command('revoke <org> <job-role-id>')
    .description('revoke a job role (its id from org job-roles)')
    .option('--json', JSON_HELP)
    .action(async (name: string, id: string, opts: { json?: boolean }) => {
      printChange(io, await callEndpoint(client(io), orgApi.removeJobRole, { params: { org: name, id } }), opts.json);
    });
}

function registerCooperations(org: Command, io: Io): void {
  org
    .command('cooperations <org>')
    .description('cooperations the organization owns or is the partner of, what they share, and the partner\u2019s job roles')
    .option('--ended', 'include ended cooperations')
    .option('--json', JSON_HELP)
    .action(async (name: string, opts: { ended?: boolean; json?: boolean }) => {
      const list = await callEndpoint(client(io), orgApi.cooperations, { params: { org: name }, query: { ended: opts.ended ? 'true' : undefined } });
      if (opts.json) return printJson(io, list);
      io.out(renderCooperations(list));
    });

  const cooperation = org.command('cooperation').description('share plants and portfolios with another organization (Admins)');
  cooperation
    .command('offer <org> <partner>')
    .description('share plants and/or portfolios with a partner organization')
    .option('--plant <plant>', 'a plant to share (repeat for more)', collect)
    .option('--portfolio <portfolio>', 'a portfolio to share (repeat for more)', collect)
    .option('--json', JSON_HELP)
    .action(async (name: string, partner: string, opts: { plant?: string[]; portfolio?: string[]; json?: boolean }) => {
      const body = { partner, ...shares(opts) };
      printChange(io, await callEndpoint(client(io), orgApi.offerCooperation, { params: { org: name }, body, labels: { partner: 'PARTNER', plants: '--plant', portfolios: '--portfolio' } }), opts.json);
    });
  cooperation
    .command('share <org> <id>')
    .description('set what a cooperation shares (the plants and portfolios you list are all it shares afterwards)')
    .option('--plant <plant>', 'a plant to share (repeat for more)', collect)
    .option('--portfolio <portfolio>', 'a portfolio to share (repeat for more)', collect)
    .option('--json', JSON_HELP)
    .action(async (name: string, id: string, opts: { plant?: string[]; portfolio?: string[]; json?: boolean }) => {
      if (!opts.plant && !opts.portfolio) throw new CliError('give --plant and/or --portfolio: what the cooperation shares from now on (to share nothing, end it)', 'usage');
      printChange(io, await callEndpoint(client(io), orgApi.setCooperationShares, { params: { org: name, id }, body: shares(opts), labels: { plants: '--plant', portfolios: '--portfolio' } }), opts.json);
    });
  cooperation
    .command('end <org> <id>')
    .description('end a cooperation: the partner\u2019s routes to the shared plants end within a sync cycle')
    .option('--json', JSON_HELP)
    .action(async (name: string, id: string, opts: { json?: boolean }) => {
      printChange(io, await callEndpoint(client(io), orgApi.endCooperation, { params: { org: name, id } }), opts.json);
    });
  jobRoleCommand(cooperation.command('grant'), 'as the partner organization (ORG): give one of your members a job role on a shared plant or portfolio', '<id>').action(
    async (name: string, id: string, email: string, role: JobRoleName, opts: TargetOpts) => {
      const body = { user: email, role, ...jobRoleTarget(opts) };
      printChange(io, await callEndpoint(client(io), orgApi.grantCooperationJobRole, { params: { org: name, id }, body, labels: JOB_ROLE_LABELS }), opts.json);
    },
  );
  cooperation
    .command('revoke <org> <id> <job-role-id>')
    .description('as the partner organization (ORG): revoke a job role granted within the cooperation')
    .option('--json', JSON_HELP)
    .action(async (name: string, id: string, jobRoleId: string, opts: { json?: boolean }) => {
      printChange(io, await callEndpoint(client(io), orgApi.removeCooperationJobRole, { params: { org: name, id, jobRole: jobRoleId } }), opts.json);
    });
}

/** `… ORG [ID] EMAIL ROLE (--plant P | --portfolio F)`. */
function jobRoleCommand(command: Command, description: string, idArgument?: string): Command {
  command.description(description).argument('<org>', 'the organization');
  if (idArgument) command.argument(idArgument, 'the cooperation (its id from org cooperations)');
  return command
    .argument('<email>', 'the user')
    .argument('<role>', 'operator, technical-manager, asset-manager or viewer', jobRoleArgument)
    .option('--plant <plant>', 'on this plant')
    .option('--portfolio <portfolio>', 'on this portfolio (and so on its plants)')
    .option('--json', JSON_HELP);
}

function shares(opts: { plant?: string[]; portfolio?: string[] }): { plants: string[]; portfolios: string[] } {
  return { plants: opts.plant ?? [], portfolios: opts.portfolio ?? [] };
}
