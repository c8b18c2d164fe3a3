/**
 * Run by tests/backup.test.ts against a restored database (DATABASE_URL, and its key): prints what
 * it holds as one JSON line — each webhook with its secrets opened by the key, how many history
 * entries each has, and the pending deliveries.
 */
import { openSecret } from "../server/crypto/sealed-secrets";
import { getDb } from "../server/db";

const db = getDb();
const webhooks = await db.webhook.findMany({ include: { secrets: { orderBy: { position: "asc" } } } });
const history = await db.webhookChange.groupBy({ by: ["webhookId"], _count: { _all: true } });
const pending = await db.delivery.findMany({ where: { status: "pending" }, select: { id: true } });
console.log(
  JSON.stringify({
    webhooks: webhooks.map((w) => ({
      id: w.id,
      url: w.url,
      secrets: w.secrets.map((s) => openSecret(s.value, w.id)),
    })),
    history: Object.fromEntries(history.map((h) => [h.webhookId, h._count._all])),
    pending: pending.map((d) => d.id),
  }),
);
await db.$disconnect();
