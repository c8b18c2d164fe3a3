/**
 * Seeds a benchmark database (DATABASE_URL): a tenant with 201 webhooks (the pages' timings edit
 * the first, the tRPC load the next 100, the REST PATCH load the last 100), one API client and a
 * browser session, and a second tenant whose client owns exactly 50 webhooks (the list load).
 * Prints what the load needs as one JSON line.
 */
import { addClient, addFacility, addUser } from "../server/accounts/accounts.service";
import type { Principal } from "../server/auth/principal";
import { signIn } from "../server/auth/sessions";
import { getDb } from "../server/db";
import { getEnv } from "../server/env";
import { applyMigrations, targetFor } from "../server/migrations";
import { createWebhook } from "../server/webhooks/webhook.service";

await applyMigrations(targetFor(getEnv()));
const facilityIds = ["P-900001", "P-900002", "P-900003"];
for (const [i, id] of facilityIds.entries()) await addFacility({ id, name: `Bench facility ${i + 1}` });
const password = "bench-password-1234";
const user = await addUser({ email: "bench@example.com", password, facilityIds });
const client = await addClient({ name: "Bench client", ownerEmail: user.email });
const webhookIds = await seedWebhooks({ userId: user.id, clientId: client.clientId }, 201);
const listUser = await addUser({ email: "bench-list@example.com", password, facilityIds });
const listClient = await addClient({ name: "Bench list client", ownerEmail: listUser.email });
await seedWebhooks({ userId: listUser.id, clientId: listClient.clientId }, 50);
const session = await signIn({ email: user.email, password });
if (!session.ok) throw new Error(session.error);
console.log(
  JSON.stringify({
    token: client.token,
    listToken: listClient.token,
    sessionToken: session.token,
    webhookId: webhookIds[0],
    webhookIds,
    facilityIds,
  }),
);
await getDb().$disconnect();

async function seedWebhooks(principal: Principal, count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const webhook = await createWebhook({
      principal,
      input: { url: `https://receiver.example/${i}`, events: ["shift.created", "shift.cancelled"] },
    });
    ids.push(webhook.id);
  }
  return ids;
}
