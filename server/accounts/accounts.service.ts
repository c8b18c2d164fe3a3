/**
 * Operator tasks behind the admin CLI and the first-start seed: facilities, facility admins and
 * their API clients, and taking access away. Inputs are checked here so every entry point refuses
 * bad input the same way.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { auditEntry, auditQuery, listAuditEntries } from "../audit/audit";
import { MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH } from "../auth/credential-limits";
import { hashPassword } from "../auth/passwords";
import { forgetPrincipals } from "../auth/principal-cache";
import { endAllSessionsOf } from "../auth/sessions";
import { getDb } from "../db";
import { AppError, parseInput } from "../errors";
import { MAX_FACILITIES, MAX_FACILITY_ID_LENGTH } from "../webhooks/webhook-rules";
import { clientNameInput, createClient } from "./clients.service";

export const MIN_PASSWORD_LENGTH = 12;
const FACILITY_ID_FORMAT = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_-]{0,${MAX_FACILITY_ID_LENGTH - 1}}$`);

const facilityInput = z.object({
  id: z
    .string()
    .trim()
    .regex(FACILITY_ID_FORMAT, `facility id must be 1-${MAX_FACILITY_ID_LENGTH} letters, digits, - or _`),
  name: z.string().trim().min(1, "facility name must not be empty").max(200, "facility name is too long"),
});

const emailInput = z
  .string()
  .max(MAX_EMAIL_LENGTH, `email must be at most ${MAX_EMAIL_LENGTH} characters`)
  .transform((e) => e.trim().toLowerCase());

const userInput = z.object({
  email: z
    .email("email must be a valid email address")
    .max(MAX_EMAIL_LENGTH, `email must be at most ${MAX_EMAIL_LENGTH} characters`)
    .transform((e) => e.toLowerCase()),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `password must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(MAX_PASSWORD_LENGTH, `password must be at most ${MAX_PASSWORD_LENGTH} characters`),
  facilityIds: z
    .array(z.string().max(MAX_FACILITY_ID_LENGTH))
    .min(1, "give at least one --facility")
    .max(MAX_FACILITIES),
});

const clientInput = z.object({ name: clientNameInput, ownerEmail: emailInput });

export async function addFacility(input: { id: string; name: string }) {
  const { id, name } = parseInput(facilityInput, input);
  const db = getDb();
  if (await db.facility.findUnique({ where: { id } })) {
    throw new AppError("BAD_REQUEST", `facility ${id} already exists`);
  }
  return db.facility.create({ data: { id, name } });
}

export async function addUser(input: { email: string; password: string; facilityIds: string[] }) {
  const { email, password, facilityIds } = parseInput(userInput, input);
  const db = getDb();
  if (await db.user.findUnique({ where: { email } })) {
    throw new AppError("BAD_REQUEST", `a user with email ${email} already exists`);
  }
  const known = await db.facility.findMany({ where: { id: { in: facilityIds } }, select: { id: true } });
  const unknown = facilityIds.filter((id) => !known.some((f) => f.id === id));
  if (unknown.length) throw new AppError("BAD_REQUEST", `no such facility: ${unknown.join(", ")}`);
  const granted = [...new Set(facilityIds)];
  const user = { id: randomUUID(), email };
  await db.$transaction([
    db.user.create({
      data: {
        ...user,
        passwordHash: await hashPassword(password),
        facilities: { create: granted.map((facilityId) => ({ facilityId })) },
      },
    }),
    db.$executeRaw(accessGranted(user, granted)),
  ]);
  return user;
}

const accessGranted = (user: { id: string; email: string }, facilityIds: string[]) =>
  auditEntry("operator", {
    action: "facility-access.granted",
    accountId: user.id,
    target: `user ${user.email}`,
    details: { facilities: facilityIds },
  });

/** Gives a user access to more facilities: their clients' webhooks may name them and receive their events. */
export async function grantFacilityAccess({ email, facilityIds }: { email: string; facilityIds: string[] }) {
  const user = await userByEmail(email);
  const db = getDb();
  const wanted = [...new Set(parseInput(userInput.shape.facilityIds, facilityIds))];
  const [known, held] = await Promise.all([
    db.facility.findMany({ where: { id: { in: wanted } }, select: { id: true } }),
    db.facilityAccess.findMany({
      where: { userId: user.id, facilityId: { in: wanted } },
      select: { facilityId: true },
    }),
  ]);
  const unknown = wanted.filter((id) => !known.some((f) => f.id === id));
  if (unknown.length) throw new AppError("BAD_REQUEST", `no such facility: ${unknown.join(", ")}`);
  const granted = wanted.filter((id) => !held.some((a) => a.facilityId === id));
  if (granted.length === 0)
    throw new AppError("BAD_REQUEST", `${user.email} already has access to ${wanted.join(", ")}`);
  await db.$transaction([
    db.facilityAccess.createMany({ data: granted.map((facilityId) => ({ userId: user.id, facilityId })) }),
    db.$executeRaw(accessGranted(user, granted)),
  ]);
  return { ...user, granted };
}

async function userByEmail(email: string) {
  const normalized = parseInput(emailInput, email);
  const user = await getDb().user.findUnique({
    where: { email: normalized },
    select: { id: true, email: true },
  });
  if (!user) throw new AppError("BAD_REQUEST", `no user with email ${normalized}`);
  return user;
}

/** Creates an API client; the returned token is never stored and cannot be shown again. */
export async function addClient(input: { name: string; ownerEmail: string }) {
  const { name, ownerEmail } = parseInput(clientInput, input);
  const owner = await userByEmail(ownerEmail);
  return createClient({ ownerId: owner.id, name, by: "operator" });
}

/**
 * Takes a facility away from a user. Access is read on every use, so at once: that facility's
 * events stop reaching the user's clients, its deliveries leave their logs, and saving a webhook
 * with it is refused.
 */
export async function revokeFacilityAccess({ email, facilityId }: { email: string; facilityId: string }) {
  const user = await userByEmail(email);
  await getDb().$transaction(async (tx) => {
    const { count } = await tx.facilityAccess.deleteMany({ where: { userId: user.id, facilityId } });
    if (count === 0)
      throw new AppError("BAD_REQUEST", `${user.email} has no access to facility ${facilityId}`);
    await tx.$executeRaw(
      auditEntry("operator", {
        action: "facility-access.removed",
        accountId: user.id,
        target: `user ${user.email}`,
        details: { facilities: [facilityId] },
      }),
    );
  });
  return user;
}

/** A disabled user cannot sign in, their sessions end and their API clients stop. */
export async function disableUser({ email }: { email: string }) {
  const user = await userByEmail(email);
  const db = getDb();
  const stoppedClients = await db.apiClient.count({ where: { ownerId: user.id, revokedAt: null } });
  await db.$transaction([
    db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } }),
    db.$executeRaw(
      auditEntry("operator", {
        action: "user.disabled",
        accountId: user.id,
        target: `user ${user.email}`,
        details: { stoppedClients },
      }),
    ),
  ]);
  forgetPrincipals((p) => p.userId === user.id);
  const endedSessions = await endAllSessionsOf(user.id);
  return { ...user, endedSessions, stoppedClients };
}

const auditTrailInput = z.object({
  since: z.iso.datetime({
    offset: true,
    error: "since must be an ISO 8601 date and time, e.g. 2026-12-01T00:00:00Z",
  }),
  userEmail: emailInput.optional(),
  action: auditQuery.shape.action,
  limit: z
    .number({ error: "limit must be a number" })
    .int("limit must be a whole number")
    .min(1, "limit must be at least 1")
    .max(1000, "limit must be at most 1000")
    .default(100),
});

/** The audit trail for the operator: every account's entries since a time, or one user's. */
export async function auditTrail(input: z.input<typeof auditTrailInput>) {
  const { since, userEmail, action, limit } = parseInput(auditTrailInput, input);
  const accountId = userEmail ? (await userByEmail(userEmail)).id : undefined;
  return listAuditEntries({ since: new Date(since), accountId, action, limit });
}
