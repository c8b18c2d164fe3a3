/**
 * Operator tasks behind the admin CLI and the first-start seed: facilities, facility admins and
 * their API clients. Inputs are checked here so every entry point refuses bad input the same way.
 */
import { z } from "zod";
import { hashPassword } from "../auth/passwords";
import { generateToken, hashToken } from "../auth/tokens";
import { getDb } from "../db";
import { AppError } from "../errors";

export const MIN_PASSWORD_LENGTH = 12;

const facilityInput = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "facility id must be 1-64 letters, digits, - or _"),
  name: z.string().trim().min(1, "facility name must not be empty").max(200, "facility name is too long"),
});

const userInput = z.object({
  email: z.email("email must be a valid email address").transform((e) => e.toLowerCase()),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `password must be at least ${MIN_PASSWORD_LENGTH} characters`),
  facilityIds: z.array(z.string()).min(1, "give at least one --facility"),
});

const clientInput = z.object({
  name: z.string().trim().min(1, "client name must not be empty").max(200, "client name is too long"),
  ownerEmail: z.string().transform((e) => e.trim().toLowerCase()),
});

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new AppError(
      "BAD_REQUEST",
      parsed.error.issues.map((i) => i.message),
    );
  return parsed.data;
}

export async function addFacility(input: { id: string; name: string }) {
  const { id, name } = parse(facilityInput, input);
  const db = getDb();
  if (await db.facility.findUnique({ where: { id } })) {
    throw new AppError("BAD_REQUEST", `facility ${id} already exists`);
  }
  return db.facility.create({ data: { id, name } });
}

export async function addUser(input: { email: string; password: string; facilityIds: string[] }) {
  const { email, password, facilityIds } = parse(userInput, input);
  const db = getDb();
  if (await db.user.findUnique({ where: { email } })) {
    throw new AppError("BAD_REQUEST", `a user with email ${email} already exists`);
  }
  const known = await db.facility.findMany({ where: { id: { in: facilityIds } }, select: { id: true } });
  const unknown = facilityIds.filter((id) => !known.some((f) => f.id === id));
  if (unknown.length) throw new AppError("BAD_REQUEST", `no such facility: ${unknown.join(", ")}`);
  return db.user.create({
    data: {
      email,
      passwordHash: await hashPassword(password),
      facilities: { create: [...new Set(facilityIds)].map((facilityId) => ({ facilityId })) },
    },
    select: { id: true, email: true },
  });
}

/** Creates an API client; the returned token is never stored and cannot be shown again. */
export async function addClient(input: { name: string; ownerEmail: string }) {
  const { name, ownerEmail } = parse(clientInput, input);
  const db = getDb();
  const owner = await db.user.findUnique({ where: { email: ownerEmail }, select: { id: true } });
  if (!owner) throw new AppError("BAD_REQUEST", `no user with email ${ownerEmail}`);
  const token = generateToken();
  const client = await db.apiClient.create({
    data: { name, ownerId: owner.id, tokenHash: hashToken(token) },
  });
  return { clientId: client.id, token };
}
