import { InvalidArgumentError } from 'commander';
import { CliError } from './errors.ts';
import { JOB_ROLES, type JobRoleName, ORG_ROLES, type OrgRole } from '../core/model.ts';

/**
 * What people type for `plantgate org …` turned into the values of the org endpoints
 * (src/core/wire/org.ts). Commander calls these while parsing, so a bad value is a
 * usage error (exit 2) naming the argument before anything is sent.
 */

/** `Admin`, `admin` → admin. */
export function orgRoleArgument(value: string): OrgRole {
  const role = roleWords(value);
  if ((ORG_ROLES as readonly string[]).includes(role)) return role as OrgRole;
  throw new InvalidArgumentError(`must be one of ${ORG_ROLES.join(', ')}`);
}

/** `Operator`, `technical manager`, `Technical_Manager` → the job role's wire name. */
export function jobRoleArgument(value: string): JobRoleName {
  const role = roleWords(value);
  if ((JOB_ROLES as readonly string[]).includes(role)) return role as JobRoleName;
  throw new InvalidArgumentError(`must be one of ${JOB_ROLES.join(', ')}`);
}

function roleWords(value: string): string {
  return value.trim().toLowerCase().replace(/[\s_]+/g, '-');
}

/** A TCP/UDP port, for repeated `--port N`. */
export function portArgument(value: string, previous: number[] = []): number[] {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port (1–65535)`);
  return [...previous, n];
}

/** Repeated `--plant P` / `--portfolio F` / `--subnet CIDR`: every occurrence, in order. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function positiveIntArgument(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  return n;
}

/** `--plant P | --portfolio F`: exactly one, as the job-role request wants it (checked in the action: exit 2). */
export function jobRoleTarget(opts: { plant?: string; portfolio?: string }): { plant: string } | { portfolio: string } {
  if (opts.plant !== undefined && opts.portfolio !== undefined) throw new CliError('give --plant or --portfolio, not both', 'usage');
  if (opts.plant !== undefined) return { plant: opts.plant };
  if (opts.portfolio !== undefined) return { portfolio: opts.portfolio };
  throw new CliError('give --plant PLANT or --portfolio PORTFOLIO: where the job role applies', 'usage');
}
