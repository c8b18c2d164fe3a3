/**
 * Sends pending deliveries. Workers claim due deliveries with a lease (PostgreSQL: row claims with
 * FOR UPDATE SKIP LOCKED; SQLite: one atomic UPDATE, its single writer), so several workers never
 * send the same attempt; a worker that dies mid-send loses nothing: its lease runs out and another
 * worker sends again (at-least-once; receivers de-duplicate on the Webhook-Delivery-Id header).
 */
import { Agent, fetch } from "undici";
import { openSecret } from "../crypto/sealed-secrets";
import { getDb } from "../db";
import { getEnv } from "../env";
import { Prisma } from "../generated/sqlite/client";
import { SIGNATURE_HEADER, signatureHeader } from "../webhooks/signature";
import { withoutCredentials } from "../webhooks/webhook.schemas";
import { purgeExpiredLogs } from "./delivery-log.service";
import { ForbiddenTargetError, guardedLookup, isForbiddenLiteralUrl, isForbiddenPort } from "./ssrf-guard";

export const DELIVERY_ID_HEADER = "Webhook-Delivery-Id";
const PURGE_EVERY_MS = 3_600_000;
const RESPONSE_EXCERPT_BYTES = 4096;

/** A lease outlives the longest attempt, so a live worker always finishes before it expires. */
const leaseMs = () => getEnv().WEBHOOK_TIMEOUT_MS * 2 + 5_000;

let agent: Agent | undefined;
const guardedAgent = () => {
  agent ??= new Agent({ connect: { lookup: guardedLookup(getEnv().WEBHOOK_ALLOWED_HOSTS) } });
  return agent;
};

/** Claims up to `limit` due deliveries for this worker; returns their ids. */
export async function claimDueDeliveries(limit: number, now: number): Promise<string[]> {
  const skipLocked = getEnv().provider === "postgresql" ? Prisma.raw("FOR UPDATE SKIP LOCKED") : Prisma.empty;
  const rows = await getDb().$queryRaw<{ id: string }[]>`
    UPDATE "Delivery" SET "leaseUntilMs" = ${BigInt(now + leaseMs())}
    WHERE "id" IN (
      SELECT "id" FROM "Delivery"
      WHERE "status" = 'pending' AND "dueAtMs" <= ${BigInt(now)}
        AND ("leaseUntilMs" IS NULL OR "leaseUntilMs" < ${BigInt(now)})
      ORDER BY "dueAtMs" LIMIT ${limit} ${skipLocked})
    RETURNING "id"`;
  return rows.map((row) => row.id);
}

export type Outcome = { status: number | null; excerpt: string; latencyMs: number };

async function readExcerpt(body: AsyncIterable<Uint8Array> | null): Promise<string> {
  if (!body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size >= RESPONSE_EXCERPT_BYTES) break; // leaving the loop cancels the rest of the body
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString("utf8");
}

const TLS_CODE = /CERT|TLS|SSL|SELF_SIGNED|VERIFY|ALTNAME/;

/**
 * What the tenant is told about a failed connection: a category, never the raw error (raw texts
 * help map what our egress address can reach). The raw error goes to the server log.
 */
function describeFailure(error: unknown, url: string, timeoutMs: number): string {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const code = (cause as { code?: string }).code ?? "";
  const category =
    (error as Error).name === "TimeoutError"
      ? `timeout: no answer within ${timeoutMs} ms`
      : cause instanceof ForbiddenTargetError
        ? "refused by policy: the host resolves to a private or internal address"
        : code === "ENOTFOUND" || code === "EAI_AGAIN"
          ? "DNS: the host name could not be resolved"
          : code === "ECONNREFUSED"
            ? "connection refused"
            : TLS_CODE.test(code)
              ? "TLS: the receiver's certificate or handshake was refused"
              : "connection error: the connection failed or was closed";
  console.error(
    JSON.stringify({
      level: "warn",
      msg: "delivery attempt failed",
      host: new URL(url).host,
      category,
      code,
      detail: String((cause as Error).message ?? cause),
    }),
  );
  return category;
}

/** One POST: no redirects followed, a timeout, the status and the first 4 KB of the answer. */
async function post(url: string, body: string, headers: Record<string, string>): Promise<Outcome> {
  const {
    WEBHOOK_TIMEOUT_MS: timeoutMs,
    WEBHOOK_ALLOWED_HOSTS: allowed,
    WEBHOOK_ALLOWED_PORTS: ports,
  } = getEnv();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // An IP literal is connected to without a lookup, so it is checked here.
  if (isForbiddenLiteralUrl(url, allowed)) {
    return { status: null, excerpt: "refused by policy: a private or internal address", latencyMs: 0 };
  }
  if (isForbiddenPort(url, allowed, ports)) {
    return {
      status: null,
      excerpt: `refused by policy: port ${new URL(url).port} is not allowed`,
      latencyMs: 0,
    };
  }
  try {
    const response = await fetch(url, {
      method: "POST",
      body,
      headers,
      redirect: "manual",
      dispatcher: guardedAgent(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, excerpt: await readExcerpt(response.body), latencyMs: elapsed() };
  } catch (error) {
    return { status: null, excerpt: describeFailure(error, url, timeoutMs), latencyMs: elapsed() };
  }
}

/** Signs `body` with every secret and POSTs it: what every attempt (and a test send) does. */
export async function sendSigned({
  url,
  body,
  secrets,
  deliveryId,
  now = Date.now(),
}: {
  url: string;
  body: string;
  secrets: string[];
  deliveryId: string;
  now?: number;
}): Promise<{ signature: string; outcome: Outcome }> {
  const signature = signatureHeader(body, secrets, Math.floor(now / 1000));
  const outcome = await post(url, body, {
    "content-type": "application/json",
    "user-agent": "facility-webhooks",
    [SIGNATURE_HEADER]: signature,
    [DELIVERY_ID_HEADER]: deliveryId,
  });
  return { signature, outcome };
}

/**
 * Makes the next attempt of each claimed delivery, all at once, and records the outcomes:
 * success, a retry later, or failure. The reads and writes are batched, a few queries a pass.
 */
export async function attemptDeliveries(deliveryIds: string[], now = Date.now()): Promise<void> {
  if (deliveryIds.length === 0) return;
  const db = getDb();
  const deliveries = await db.delivery.findMany({
    where: { id: { in: deliveryIds }, status: "pending" },
    include: { event: { select: { body: true } } },
  });
  const secretRows = await db.webhookSecret.findMany({
    where: { webhookId: { in: [...new Set(deliveries.map((d) => d.webhookId))] } },
    orderBy: { position: "asc" },
  });
  const secretsOf = (webhookId: string) =>
    secretRows.filter((s) => s.webhookId === webhookId).map((s) => openSecret(s.value, s.webhookId));
  const targets = await currentTargets(deliveries.map((d) => d.id));

  const attempts = await Promise.all(
    deliveries.map(async (delivery) => {
      const secrets = secretsOf(delivery.webhookId);
      // Access taken away after publishing stops the delivery too; nothing is sent.
      const target = targets.get(delivery.id);
      const refusal =
        secrets.length === 0
          ? "the webhook was deleted"
          : target
            ? null
            : `not sent: the webhook's client was revoked or lost access to facility ${delivery.facilityId}`;
      // Each attempt goes where the webhook points now: a replaced endpoint gets the retries too.
      // Credentials in URLs stored before they were refused go neither out nor into the log.
      const url = withoutCredentials(target ?? delivery.url);
      const { signature, outcome } = refusal
        ? { signature: "", outcome: { status: null, excerpt: refusal, latencyMs: 0 } }
        : await sendSigned({
            url,
            body: delivery.event.body,
            secrets,
            deliveryId: delivery.id,
            now,
          });
      const attempt = delivery.attempts + 1;
      const retryDelay = getEnv().WEBHOOK_RETRY_SCHEDULE[attempt - 1];
      const status =
        outcome.status !== null && outcome.status < 400
          ? "success"
          : retryDelay === undefined || refusal
            ? "failure"
            : "pending";
      return {
        delivery,
        attempt,
        signature,
        outcome,
        url,
        status,
        dueAtMs: status === "pending" ? BigInt(now + (retryDelay ?? 0)) : null,
      };
    }),
  );

  const succeeded = attempts.filter((a) => a.status === "success").map((a) => a.delivery.id);
  await db.$transaction([
    db.deliveryAttempt.createMany({
      data: attempts.map(({ delivery, attempt, signature, outcome, url }) => ({
        deliveryId: delivery.id,
        attempt,
        signature,
        responseStatus: outcome.status,
        responseBody: outcome.excerpt,
        latencyMs: outcome.latencyMs,
        url,
      })),
    }),
    // Successes, the common case, in one statement; the others each have their own due time.
    db.delivery.updateMany({
      where: { id: { in: succeeded } },
      data: { status: "success", attempts: { increment: 1 }, dueAtMs: null, leaseUntilMs: null },
    }),
    ...attempts
      .filter((a) => a.status !== "success")
      .map((a) =>
        db.delivery.update({
          where: { id: a.delivery.id },
          data: { status: a.status, attempts: a.attempt, dueAtMs: a.dueAtMs, leaseUntilMs: null },
        }),
      ),
  ]);
}

/**
 * Where each of these deliveries goes now — its webhook's current URL — for those that may still
 * be sent: the webhook exists, its client is not revoked, its owner is not disabled and can still
 * access the delivery's facility (the fan-out's rule, checked again at send time).
 */
async function currentTargets(deliveryIds: string[]): Promise<Map<string, string>> {
  if (deliveryIds.length === 0) return new Map();
  const rows = await getDb().$queryRaw<{ id: string; url: string }[]>`
    SELECT d."id", w."url" FROM "Delivery" d
    JOIN "Webhook" w ON w."id" = d."webhookId"
    JOIN "ApiClient" c ON c."id" = w."clientId" AND c."revokedAt" IS NULL
    JOIN "User" u ON u."id" = c."ownerId" AND u."disabledAt" IS NULL
    JOIN "FacilityAccess" a ON a."userId" = c."ownerId" AND a."facilityId" = d."facilityId"
    WHERE d."id" IN (${Prisma.join(deliveryIds)})`;
  return new Map(rows.map((row) => [row.id, row.url]));
}

/** One pass: claims what is due at `now` and attempts it. Returns how many attempts were made. */
export async function runDueDeliveries({ now = Date.now(), batchSize = 100 } = {}): Promise<number> {
  const ids = await claimDueDeliveries(batchSize, now);
  await attemptDeliveries(ids, now);
  return ids.length;
}

/**
 * Runs passes until stopped, resting `idleMs` when nothing is due. `stop()` lets the attempts in
 * flight finish (graceful shutdown) and resolves when they have.
 */
export function startWorker({ idleMs = 500 } = {}): { stop: () => Promise<void> } {
  let stopping = false;
  let wake: (() => void) | undefined;
  // The retention purge runs beside the delivery loop, never inside it: deliveries keep flowing
  // however long a purge takes. One at a time.
  let purging: Promise<unknown> | null = null;
  const purge = () => {
    purging ??= purgeExpiredLogs()
      .catch((error) => console.error("delivery log purge:", error))
      .finally(() => {
        purging = null;
      });
  };
  purge();
  const purgeTimer = setInterval(purge, PURGE_EVERY_MS);
  purgeTimer.unref();
  const loop = async () => {
    while (!stopping) {
      const attempted = await runDueDeliveries().catch((error) => {
        console.error("delivery worker:", error);
        return 0;
      });
      if (attempted === 0 && !stopping) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, idleMs);
        });
      }
    }
  };
  const running = loop();
  return {
    stop: async () => {
      stopping = true;
      clearInterval(purgeTimer);
      wake?.();
      await Promise.all([running, purging]);
    },
  };
}
