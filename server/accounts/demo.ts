import { generateToken } from "../auth/tokens";
import { getDb } from "../db";
import { type Env, getEnv } from "../env";
import { createWebhook } from "../webhooks/webhook.service";
import { addClient, addFacility, addUser } from "./accounts.service";

export const DEMO_ADMIN_EMAIL = "admin@example.com";

const DEMO_FACILITIES = [
  { id: "P-100001", name: "Mercy General Hospital" },
  { id: "P-100002", name: "Lakeside Care Center" },
  { id: "P-100003", name: "Riverside Clinic" },
];

/**
 * Demo data belongs on the embedded default database (`npm start` with no DATABASE_URL) or where
 * asked for with DEMO_DATA=1 — never on a configured database otherwise, where a known admin with
 * a password in the logs would be a hole.
 */
export const demoDataWanted = (env: Env) => env.embeddedDefault || env.DEMO_DATA === "1";

/**
 * On a database with no users where demo data is wanted, creates demo facilities, an admin and an
 * API client with one webhook, and returns the credentials — the only time they can be shown.
 * Otherwise returns null.
 */
export async function seedDemoDataIfEmpty(env = getEnv()) {
  if (!demoDataWanted(env) || (await getDb().user.count()) > 0) return null;
  for (const facility of DEMO_FACILITIES) await addFacility(facility);
  const password = generateToken().slice(0, 20);
  const admin = await addUser({
    email: DEMO_ADMIN_EMAIL,
    password,
    facilityIds: DEMO_FACILITIES.map((f) => f.id),
  });
  const client = await addClient({ name: "Demo client", ownerEmail: admin.email });
  await createWebhook({
    principal: { userId: admin.id, clientId: client.clientId },
    input: { url: "https://example.com/webhooks/shifts", events: ["shift.created", "shift.cancelled"] },
  });
  return { email: admin.email, password, ...client };
}
