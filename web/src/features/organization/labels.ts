import type { JobRoleName, OrgRole } from '../../../../src/core/model.ts';

export const ROLE_LABEL: Readonly<Record<OrgRole, string>> = { admin: 'Admin', moderator: 'Moderator', member: 'Member', guest: 'Guest' };

export const JOB_ROLE_LABEL: Readonly<Record<JobRoleName, string>> = {
  operator: 'Operator',
  'technical-manager': 'Technical Manager',
  'asset-manager': 'Asset Manager',
  viewer: 'Viewer',
};

/** What an org role means for routes (SPEC P4), for the invite and role dialogs. */
export const ROLE_MEANING: Readonly<Record<OrgRole, string>> = {
  admin: 'manages everything in the organization',
  moderator: 'manages plants, portfolios, job roles and invitations of Members and Guests',
  member: 'reaches the plants their job roles give them',
  guest: 'reaches no plant, whatever the job role',
};

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
