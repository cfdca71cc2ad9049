import { z } from 'zod';
import { MAX_PASSWORD } from './api.ts';

/** Wire types of the operators' user administration (`/api/v1/admin/users`, issue 7 item 15). */

export const UserInfo = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  platformOperator: z.boolean(),
  disabledAt: z.string().nullable(),
  totpEnabled: z.boolean(),
  /** An operator set a one-time password the user has not replaced yet. */
  passwordMustChange: z.boolean(),
  /** The active personal profile's tunnel IP, if any. */
  profileTunnelIp: z.string().nullable(),
  createdAt: z.string(),
});
export type UserInfo = z.infer<typeof UserInfo>;

export const PasswordResetRequest = z
  .object({
    /** The one-time password to set; without it the server generates one and shows it once. */
    password: z.string().min(8, 'must be at least 8 characters').max(MAX_PASSWORD, `must be at most ${MAX_PASSWORD} characters`).optional(),
  })
  .strict();
export const PasswordReset = z.object({
  email: z.string(),
  /** Only when generated: shown once. */
  password: z.string().nullable(),
  /** Always true: the user must choose a new password at the next login. */
  oneTime: z.literal(true),
});
export type PasswordReset = z.infer<typeof PasswordReset>;
