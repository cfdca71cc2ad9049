import { z } from 'zod';
import { JOB_ROLES, ORG_ROLES } from '../model.ts';
import { printableName } from '../wire/printable.ts';

/** The fleet file (`plantgate admin apply -f fleet.yaml`), as users write it. */
const name = printableName(200);

const JobRoleEntry = z
  .object({
    user: z.string().trim().min(1, 'must name a user by email'),
    plant: name.optional(),
    portfolio: name.optional(),
    role: z.enum(JOB_ROLES, { message: `must be one of ${JOB_ROLES.join(', ')}` }),
  })
  .strict();

export const FleetFileSchema = z
  .object({
    /** The file is the whole fleet: what it lacks is removed, as with `--prune`. */
    complete: z.boolean().optional(),
    users: z
      .array(
        z
          .object({
            email: z.email({ message: 'must be an email address' }).max(320, 'must be at most 320 characters'),
            name: name.optional(),
            password: z.string().min(8, 'must be at least 8 characters').max(1024, 'must be at most 1024 characters').optional(),
          })
          .strict(),
      )
      .default([]),
    organizations: z
      .array(
        z
          .object({
            name,
            members: z
              .array(
                z
                  .object({
                    email: z.string().trim().min(1, 'must name a user by email'),
                    role: z.enum(ORG_ROLES, { message: `must be one of ${ORG_ROLES.join(', ')}` }),
                  })
                  .strict(),
              )
              .default([]),
            portfolios: z.array(z.object({ name, plants: z.array(name).default([]) }).strict()).default([]),
            plants: z
              .array(
                z
                  .object({
                    name,
                    subnets: z.array(z.string()).default([]),
                    devices: z
                      .array(
                        z
                          .object({
                            name,
                            ip: z.string(),
                            kind: printableName(60).default('device'),
                            ports: z.array(z.number().int().min(1).max(65535)).default([]),
                          })
                          .strict(),
                      )
                      .default([]),
                  })
                  .strict(),
              )
              .default([]),
            jobRoles: z.array(JobRoleEntry).default([]),
            cooperations: z
              .array(
                z
                  .object({
                    partner: name,
                    plants: z.array(name).default([]),
                    portfolios: z.array(name).default([]),
                    jobRoles: z.array(JobRoleEntry).default([]),
                  })
                  .strict(),
              )
              .default([]),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type FleetFile = z.infer<typeof FleetFileSchema>;
export type FleetFileJobRole = z.infer<typeof JobRoleEntry>;
