/**
 * Sends pending deliveries. Workers claim due deliveries with a lease and a claim token
 * (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one atomic UPDATE, its single writer); only the
 * token's holder may record the outcome, so a delivery is never sent by two workers at once and
 * an outcome never lands twice. A worker that dies mid-send loses nothing: its lease runs out and
 * another worker sends again (at-least-once; receivers de-duplicate on the Webhook-Delivery-Id).
 *
 * A running worker is a pool: up to WEBHOOK_CONCURRENCY attempts at once, refilled as each slot
 * frees, shared fairly between tenants (see startWorker) — a receiver that never answers, or a
 * tenant with thousands of due deliveries, holds only its share, never the others' deliveries.
 */
import { randomUUID } from "node:crypto";
import { LRUCache } from "lru-cache";
import { clientAccessJoins, clientMayDeliver } from "../access/access";
import { openSecret, UnopenableSecretError } from "../crypto/sealed-secrets";
import { signingKeys } from "../crypto/signing-keys";
import { getDb } from "../db";
import { getEnv } from "../env";
import { Prisma } from "../generated/sqlite/client";
import { logger } from "../http/log";
import { sendNoticeEmails } from "../notices/notices";
import { countAttempt } from "../operations/attempt-metrics";
import { beat, endHeartbeat, HEARTBEAT_EVERY_MS } from "../operations/heartbeat";
import { metrics } from "../operations/metrics";
import { withoutCredentials } from "../webhooks/webhook-rules";
import type { Claim, PreparedAttempt } from "./attempts";
import { purgeExpiredLogs } from "./delivery-log.service";
import { listenForDue } from "./due-signal";
import { Circuit, endpointOf } from "./endpoints";
import { type AttemptResult, GONE, recordOutcomes } from "./outcomes";
import { runReplays } from "./replays.service";
import { type Outcome, sendSigned } from "./send";

const PURGE_EVERY_MS = 3_600_000;
// Measured with events published one by one, 200 a second (bench/results.md): gathering claims for
// 5 ms and outcomes for 10 ms turned one write per event into one per several, and the SQLite
// run's p95 from 329 ms to 22–112 ms; the receiver waits at most GATHER_CLAIMS_MS longer.
const GATHER_CLAIMS_MS = 5;
const GATHER_OUTCOMES_MS = 10;
const REPLAY_EVERY_MS = 1_000;
/** Notice emails wait in their table (an outbox) this long at most. */
const NOTICE_EMAIL_EVERY_MS = 5_000;

/** A count per API client, forgetting clients at zero. */
function perClientCount() {
  const counts = new Map<string, number>();
  return {
    /** Returns the client's new count. */
    add: (clientId: string, change: 1 | -1): number => {
      const count = (counts.get(clientId) ?? 0) + change;
      if (count > 0) counts.set(clientId, count);
      else counts.delete(clientId);
      return count;
    },
    held: () => new Map(counts),
    /** Whether any client holds `share` or more. */
    anyAt: (share: number) => [...counts.values()].some((count) => count >= share),
  };
}

/** A lease outlives the longest attempt, so a live worker always finishes before it expires. */
const leaseMs = () => getEnv().WEBHOOK_TIMEOUT_MS * 2 + 5_000;

export type ClaimOptions = {
  /** Webhooks passed over (their endpoints are busy in this worker). */
  skipWebhookIds?: string[];
  /** API clients passed over (they have their share of this worker in flight). */
  skipClientIds?: string[];
  /** At most this many deliveries of one API client per claim… */
  perClient?: number;
  /** …less what the client already holds (so a claim takes nothing it must give back). */
  heldBy?: Map<string, number>;
  /** At most this many deliveries of one webhook per claim (the running worker: its endpoint's slots). */
  perWebhook?: number;
};

const notIn = (column: Prisma.Sql, ids: string[]) =>
  ids.length ? Prisma.sql`AND ${column} NOT IN (${Prisma.join(ids)})` : Prisma.empty;

/**
 * Up to `limit` deliveries due at `now` and not leased, in turns: each API client with due work
 * gets its first delivery before any gets its second, and within a client each webhook likewise —
 * so a tenant with thousands of due deliveries gets its share, never all of it, whoever published
 * first. (On PostgreSQL, workers claiming at once skip each other's rows.)
 *
 * It reads only what it may take: the webhooks with pending deliveries, one index step each (a
 * loose index scan), and each one's first `perWebhook` due deliveries — never the whole backlog,
 * however deep, so a worker drains a long outage's backlog at the speed of a healthy queue.
 */
export function dueInTurns(
  limit: number,
  now: number,
  {
    skipWebhookIds = [],
    skipClientIds = [],
    perClient = limit,
    heldBy = new Map(),
    perWebhook = limit,
  }: ClaimOptions = {},
): Prisma.Sql {
  const held = heldBy.size
    ? Prisma.sql`CASE turns."clientId" ${Prisma.join(
        [...heldBy].map(([clientId, count]) => Prisma.sql`WHEN ${clientId} THEN ${count}`),
        " ",
      )} ELSE 0 END`
    : Prisma.sql`0`;
  const postgresql = getEnv().provider === "postgresql";
  // Pending and not leased (or its lease ran out), as of `now`.
  const claimable = (alias: string) => {
    const column = (name: string) => Prisma.raw(`${alias}."${name}"`);
    return Prisma.sql`${column("status")} = 'pending'
      AND (${column("leaseUntilMs")} IS NULL OR ${column("leaseUntilMs")} < ${BigInt(now)})`;
  };
  const nextWebhook = (after: Prisma.Sql) => Prisma.sql`(SELECT "webhookId" FROM "Delivery"
    WHERE "status" = 'pending' ${after} ORDER BY "webhookId" LIMIT 1)`;
  const firstDue = Prisma.sql`SELECT x."id", x."clientId", x."webhookId", x."dueAtMs" FROM "Delivery" x
    WHERE x."webhookId" = h."webhookId" AND ${claimable("x")} AND x."dueAtMs" <= ${BigInt(now)}
    ORDER BY x."dueAtMs" LIMIT ${perWebhook}`;
  // PostgreSQL takes each webhook's first rows through LATERAL; SQLite, which has none, through a
  // correlated IN that it runs once per webhook (the plans are checked in delivery-scale.test.ts).
  const candidates = postgresql
    ? Prisma.sql`hooks h CROSS JOIN LATERAL (${firstDue}) c`
    : Prisma.sql`hooks h JOIN "Delivery" c ON c."id" IN (SELECT "id" FROM (${firstDue}))`;
  // Each candidate's turn within its client: its webhook's turn first, then how long it has waited.
  const turns = Prisma.sql`(
      SELECT "id", "clientId", "dueAtMs",
        ROW_NUMBER() OVER (PARTITION BY "clientId" ORDER BY "webhookTurn", "dueAtMs", "id") AS "clientTurn"
      FROM (
        SELECT c."id", c."clientId", c."dueAtMs",
          ROW_NUMBER() OVER (PARTITION BY c."webhookId" ORDER BY c."dueAtMs", c."id") AS "webhookTurn"
        FROM ${candidates}
        WHERE h."webhookId" IS NOT NULL
          ${notIn(Prisma.sql`h."webhookId"`, skipWebhookIds)} ${notIn(Prisma.sql`c."clientId"`, skipClientIds)}
      ) byWebhook
    ) turns`;
  const inTurn = Prisma.sql`turns."clientTurn" <= ${perClient} - ${held}`;
  const byTurn = Prisma.sql`ORDER BY turns."clientTurn", turns."dueAtMs" LIMIT ${limit}`;
  // The picks are read again by key, still claimable, and (PostgreSQL) locked. PostgreSQL gets
  // them as an array: joined, it guessed a thousand picks and hashed a scan of every pending row
  // (5 ms a claim with 20,000 waiting; tests/delivery-wake.test.ts). SQLite, joined CROSS, looks
  // each pick up by its key (given an IN list instead, its claims took longer).
  const picks = postgresql
    ? Prisma.sql`SELECT d."id" FROM "Delivery" d
        WHERE d."id" = ANY (ARRAY(SELECT turns."id" FROM ${turns} WHERE ${inTurn} ${byTurn}))
          AND ${claimable("d")}
        FOR UPDATE OF d SKIP LOCKED`
    : Prisma.sql`SELECT d."id" FROM ${turns} CROSS JOIN "Delivery" d
        WHERE d."id" = turns."id" AND ${claimable("d")} AND ${inTurn} ${byTurn}`;
  return Prisma.sql`
    WITH RECURSIVE hooks("webhookId") AS (
      SELECT ${nextWebhook(Prisma.empty)}
      UNION ALL
      SELECT ${nextWebhook(Prisma.sql`AND "webhookId" > hooks."webhookId"`)} FROM hooks WHERE hooks."webhookId" IS NOT NULL
    )
    ${picks}`;
}

/** Claims what `dueInTurns` picks under one new claim token and lease. */
export async function claimDueDeliveries(
  limit: number,
  now: number,
  options: ClaimOptions = {},
): Promise<Claim[]> {
  const token = randomUUID();
  const leaseUntil = now + leaseMs();
  const rows = await getDb().$queryRaw<{ id: string }[]>`
    UPDATE "Delivery" SET "leaseUntilMs" = ${BigInt(leaseUntil)}, "claimToken" = ${token}
    WHERE "id" IN (${dueInTurns(limit, now, options)})
    RETURNING "id"`;
  return rows.map((row) => ({ id: row.id, token, leaseUntil }));
}

/** Gives claims back unattempted (their host was busy): any worker may take them at once. */
async function releaseClaims(claims: Claim[]): Promise<void> {
  if (claims.length === 0) return;
  await getDb().delivery.updateMany({
    where: { OR: claims.map((c) => ({ id: c.id, claimToken: c.token })) },
    data: { leaseUntilMs: null, claimToken: null },
  });
}

type Row = {
  id: string;
  status: string;
  webhookId: string;
  clientId: string;
  facilityId: string;
  attempts: number;
  body: string;
  deliveryUrl: string;
  url: string | null;
  disabledAt: unknown;
  ed25519: unknown;
  allowed: unknown;
};

/**
 * Where each delivery goes now — its webhook's current URL and secrets — or why it may not be sent:
 * the webhook is gone or disabled, its client revoked, its owner disabled or without access to the
 * delivery's facility (the fan-out's rule, checked again at send time). Two queries for a batch,
 * in plain SQL: this runs for every claim, and the ORM's per-call cost was most of a worker's CPU.
 */
async function prepareAttempts(claims: Claim[]): Promise<PreparedAttempt[]> {
  if (claims.length === 0) return [];
  const db = getDb();
  const claimedRows = await db.$queryRaw<Row[]>`
    SELECT d."id", d."status", d."webhookId", d."clientId", d."facilityId", d."attempts", e."body", d."url" AS "deliveryUrl",
      w."url", w."disabledAt", w."ed25519Signatures" AS "ed25519",
      CASE WHEN ${clientMayDeliver} THEN 1 ELSE 0 END AS "allowed"
    FROM "Delivery" d
    JOIN "Event" e ON e."id" = d."eventId"
    LEFT JOIN "Webhook" w ON w."id" = d."webhookId"
    ${clientAccessJoins("left", Prisma.raw(`d."facilityId"`))}
    WHERE d."id" IN (${Prisma.join(claims.map((c) => c.id))})`;
  // Still pending is checked here, not in SQL: there SQLite took it for the index to search by
  // and read every pending delivery instead of the claimed ones by their keys.
  const rows = claimedRows.filter((row) => row.status === "pending");
  if (rows.length === 0) return [];
  const secretRows = await db.$queryRaw<{ webhookId: string; value: string }[]>`
    SELECT "webhookId", "value" FROM "WebhookSecret"
    WHERE "webhookId" IN (${Prisma.join([...new Set(rows.map((r) => r.webhookId))])})
    ORDER BY "position"`;
  const secretsOf = new Map<string, string[]>();
  // A secret this process cannot open fails its own webhook's deliveries, never the batch.
  const unopenable = new Map<string, string>();
  for (const { webhookId, value } of secretRows) {
    const secrets = secretsOf.get(webhookId) ?? [];
    try {
      secrets.push(openSecret(value, webhookId));
    } catch (error) {
      if (!(error instanceof UnopenableSecretError)) throw error;
      logger.error({ err: error, webhookId }, "delivery worker: a webhook secret cannot be opened");
      unopenable.set(
        webhookId,
        `not sent: the webhook's signing secret is sealed with key ${error.keyId}, which this server does not have; the operator must configure it`,
      );
    }
    secretsOf.set(webhookId, secrets);
  }
  const ed25519Keys = rows.some((row) => Boolean(row.ed25519))
    ? (await signingKeys()).map((key) => key.privateKey)
    : [];
  const claimOf = new Map(claims.map((c) => [c.id, c]));
  return rows.map((row) => ({
    claim: claimOf.get(row.id) ?? { id: row.id, token: "", leaseUntil: 0 },
    webhookId: row.webhookId,
    clientId: row.clientId,
    attempt: Number(row.attempts) + 1,
    body: row.body,
    // Each attempt goes where the webhook points now: a replaced endpoint gets the retries too.
    // Credentials in URLs stored before they were refused go neither out nor into the log.
    url: withoutCredentials(row.url ?? row.deliveryUrl),
    secrets: secretsOf.get(row.webhookId) ?? [],
    ed25519Keys: row.ed25519 ? ed25519Keys : [],
    refusal: !row.url
      ? "the webhook was deleted"
      : row.disabledAt
        ? "not sent: the webhook is disabled"
        : Number(row.allowed)
          ? null
          : `not sent: the webhook's client was revoked or lost access to facility ${row.facilityId}`,
    notSent: unopenable.get(row.webhookId) ?? null,
  }));
}

/**
 * When the next attempt is due after a failed one, or null when it was the last: the schedule's
 * delay plus up to WEBHOOK_RETRY_JITTER of it, or the receiver's Retry-After when that is longer
 * (up to WEBHOOK_RETRY_AFTER_MAX).
 */
export function nextDueAt(
  attempt: number,
  outcome: Outcome,
  now: number,
  random = Math.random(),
): number | null {
  const {
    WEBHOOK_RETRY_SCHEDULE: schedule,
    WEBHOOK_RETRY_JITTER: jitter,
    WEBHOOK_RETRY_AFTER_MAX: retryAfterMax,
  } = getEnv();
  const scheduled = schedule[attempt - 1];
  if (scheduled === undefined) return null;
  const asked = Math.min(outcome.retryAfterMs ?? 0, retryAfterMax);
  return now + Math.max(Math.round(scheduled * (1 + random * jitter)), asked);
}

/**
 * Makes one prepared attempt and says what becomes of the delivery. A refusal ends the delivery
 * unsent; a reason it is not sent now counts as a failed attempt, retried on schedule.
 */
async function attempt(prepared: PreparedAttempt, now: number): Promise<AttemptResult> {
  const skipped = prepared.refusal ?? prepared.notSent;
  const { signature, outcome } = skipped
    ? { signature: "", outcome: { status: null, excerpt: skipped, latencyMs: 0 } }
    : await sendSigned({
        url: prepared.url,
        body: prepared.body,
        secrets: prepared.secrets,
        ed25519Keys: prepared.ed25519Keys,
        deliveryId: prepared.claim.id,
        now,
      });
  // Standard Webhooks: only a 2xx is a success (a 3xx is a redirect not followed), and a 410 Gone
  // asks for no more deliveries: the delivery ends, and its webhook is disabled (recordOutcomes).
  const succeeded = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
  const dueAtMs =
    succeeded || prepared.refusal || outcome.status === GONE
      ? null
      : nextDueAt(prepared.attempt, outcome, now);
  return {
    prepared,
    signature,
    outcome,
    status: succeeded ? "success" : dueAtMs === null ? "failure" : "pending",
    dueAtMs,
    at: new Date(now),
  };
}

/**
 * One pass, all at once: claims what is due at `now`, attempts it and records the outcomes.
 * Returns how many attempts were made. (The running worker uses the pool below; tests and tools
 * use passes to control time.)
 */
export async function runDueDeliveries({ now = Date.now(), batchSize = 100 } = {}): Promise<number> {
  const prepared = await prepareAttempts(await claimDueDeliveries(batchSize, now));
  await recordOutcomes(await Promise.all(prepared.map((p) => attempt(p, now))));
  return prepared.length;
}

/**
 * The running worker: a pool of attempts refilled as slots free, outcomes recorded in batches
 * (whatever finished while the previous batch was being written), the retention purge and bulk
 * replays beside it. `stop()` lets the attempts in flight finish and be recorded, then resolves.
 *
 * What one tenant can take of it: claims come in turns across API clients (claimDueDeliveries);
 * one client holds at most WEBHOOK_PER_CLIENT_CONCURRENCY of this worker's claims, one endpoint
 * (address and port) at most WEBHOOK_PER_HOST_CONCURRENCY of its slots, and an endpoint that keeps
 * timing out only one (its circuit breaker's probe).
 */
export function startWorker({ idleMs = getEnv().WEBHOOK_POLL_MS } = {}): { stop: () => Promise<void> } {
  const {
    WEBHOOK_CONCURRENCY: concurrency,
    WEBHOOK_PER_HOST_CONCURRENCY: perEndpoint,
    WEBHOOK_PER_CLIENT_CONCURRENCY: perClient,
    WEBHOOK_CIRCUIT_AFTER: circuitAfter,
    WEBHOOK_TIMEOUT_MS: timeoutMs,
  } = getEnv();
  let stopping = false;
  // Attempts being made take the pool's slots. Claimed ones whose endpoint has all its slots taken
  // wait in that endpoint's line (sent as its slots free, while their lease still covers an
  // attempt); meanwhile that endpoint's webhooks are passed over at the claim, so others keep flowing.
  let sending = 0;
  let waiting = 0;
  const MAX_WAITING = concurrency * 4;
  // A claim is a write: the pool refills when a tenth of it is free, not for every freed slot, and
  // not while outcomes pile up unwritten (the database is the bottleneck then).
  const refillAt = Math.max(1, Math.floor(concurrency / 10));
  const outcomesPiledUp = () => toRecord.length > concurrency * 4;
  type Queued = PreparedAttempt & { endpoint: string };
  type Endpoint = { sending: number; line: Queued[]; webhookIds: Set<string> };
  const endpoints = new Map<string, Endpoint>();
  const endpointFor = (key: string): Endpoint => {
    const endpoint = endpoints.get(key) ?? { sending: 0, line: [], webhookIds: new Set<string>() };
    endpoints.set(key, endpoint);
    return endpoint;
  };
  // Circuits outlive the endpoints' entries (dropped when idle): an open one stays open.
  const circuits = new LRUCache<string, Circuit>({ max: 10_000 });
  const circuitFor = (key: string): Circuit => {
    let circuit = circuits.get(key);
    if (!circuit) {
      circuit = new Circuit(circuitAfter);
      circuits.set(key, circuit);
    }
    return circuit;
  };
  // Claims held per API client, from the claim until the outcome is recorded (waiting in a line,
  // being sent, or sent and not yet written). A client at its share is passed over at the claim:
  // one whose attempts fail fast (an open circuit, a receiver answering 500 at once) churns
  // through only its share of the recording too, so its bookkeeping cannot hold up the others'.
  const claims = perClientCount();
  const holdClaim = claims.add;

  // The loop rests until a slot frees (or `idleMs` passes); a signal given while it works is kept.
  let signalled = false;
  // Woken by a publish: what else is published within a few ms comes in the same claim.
  let published = false;
  let wake: (() => void) | undefined;
  const signal = () => {
    signalled = true;
    wake?.();
  };
  const rest = (ms: number) =>
    new Promise<void>((resolve) => {
      if (signalled) {
        signalled = false;
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        signalled = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });

  // Outcomes are written in groups (a transaction each): whatever finished within
  // GATHER_OUTCOMES_MS of the first, or while the previous group was being written.
  const toRecord: AttemptResult[] = [];
  let recording: Promise<void> | null = null;
  // Cuts the gathering short: the pool went idle while a client waits at its share for these
  // outcomes, so nothing more is coming and waiting would only idle the pool.
  let flushOutcomes: (() => void) | undefined;
  const record = (result: AttemptResult) => {
    countAttempt({
      outcome: result.status === "pending" ? "retry" : result.status,
      seconds: result.outcome.latencyMs / 1000,
    });
    toRecord.push(result);
    recording ??= (async () => {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, GATHER_OUTCOMES_MS);
        flushOutcomes = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      flushOutcomes = undefined;
      // Written outcomes wake the loop when they let a claim take more: a client was at its
      // share, or unwritten outcomes had piled up past what stops the claims.
      let roomMade = false;
      while (toRecord.length > 0) {
        roomMade ||= outcomesPiledUp();
        const batch = toRecord.splice(0, 500);
        await recordOutcomes(batch).catch((error) =>
          logger.error({ err: error }, "delivery worker: recording"),
        );
        for (const result of batch) {
          if (holdClaim(result.prepared.clientId, -1) === perClient - 1) roomMade = true;
        }
      }
      recording = null;
      // An idle pool claims too: whatever held the last claim back (a client's share, a webhook's
      // unwritten outcomes) may be gone now, and nothing else would wake it before `idleMs`.
      if (roomMade || stopping || sending === 0) signal();
    })();
  };
  /** An attempt that threw has nothing to record: its claim ends; the delivery waits out the lease. */
  const attemptFailed = (queued: Queued) => (error: unknown) => {
    holdClaim(queued.clientId, -1);
    logger.error({ err: error }, "delivery worker: attempt");
  };
  const send = (queued: Queued, endpoint: Endpoint) => {
    sending++;
    endpoint.sending++;
    const circuit = circuitFor(queued.endpoint);
    void attempt(queued, Date.now())
      .then((result) => {
        if (!queued.refusal && !queued.notSent) circuit.settle(result.outcome.timedOut === true, Date.now());
        record(result);
      })
      .catch(attemptFailed(queued))
      .finally(() => finish(queued)); // the endpoint's slot frees with its answer
  };
  /**
   * Sends now, or (the endpoint's circuit is open and this is not its probe) fails at once without
   * taking a slot. Says whether it took one.
   */
  const sendOrShortCircuit = (queued: Queued, endpoint: Endpoint): boolean => {
    const circuit = circuitFor(queued.endpoint);
    if (queued.refusal || queued.notSent || circuit.admit(Date.now())) {
      send(queued, endpoint);
      return true;
    }
    const probe = new Date(circuit.nextProbeAt).toISOString();
    const notSent = `not sent: this endpoint timed out on its last ${circuitAfter} attempts or more; it is tried again (one attempt at a time) from ${probe}`;
    void attempt({ ...queued, notSent }, Date.now()).then(record, attemptFailed(queued));
    return false;
  };
  const finish = (queued: Queued) => {
    sending--;
    const endpoint = endpointFor(queued.endpoint);
    const wasFull = endpoint.sending >= perEndpoint;
    endpoint.sending--;
    for (let next = endpoint.line.shift(); next; next = endpoint.line.shift()) {
      waiting--;
      // Sent only while its lease still covers a whole attempt; otherwise given back.
      if (Date.now() + timeoutMs + 1_000 >= next.claim.leaseUntil) {
        holdClaim(next.clientId, -1);
        void releaseClaims([next.claim]).catch((error) => logger.error({ err: error }, "delivery worker"));
      } else if (sendOrShortCircuit(next, endpoint)) return; // the slot went to the line
    }
    if (endpoint.sending === 0) endpoints.delete(queued.endpoint);
    if (sending === 0 && claims.anyAt(perClient)) flushOutcomes?.();
    // A claim can find more only when this answer made room for it: the pool reached its refill
    // mark, or the endpoint, full until now, may take its webhooks' deliveries again. (Recorded
    // outcomes wake the loop too: they give clients their share back.) Or the pool went idle: a
    // claim then costs at most one empty answer. Waking at every answer made the worker claim —
    // and find nothing — thousands of times a second.
    if (wasFull || concurrency - sending === refillAt || sending === 0 || stopping) signal();
  };

  const fill = async (room: number): Promise<number> => {
    const busy = [...endpoints.values()].filter((e) => e.sending >= perEndpoint || e.line.length > 0);
    const skipWebhookIds = busy.flatMap((e) => [...e.webhookIds]).slice(0, 500);
    const skipClientIds = [...claims.held()].filter(([, held]) => held >= perClient).map(([id]) => id);
    const prepared = await prepareAttempts(
      await claimDueDeliveries(room, Date.now(), {
        skipWebhookIds,
        skipClientIds: skipClientIds.slice(0, 500),
        perClient,
        heldBy: claims.held(),
        perWebhook: perEndpoint,
      }),
    );
    metrics().claims.inc({ result: prepared.length > 0 ? "took" : "empty" });
    const queued: Queued[] = await Promise.all(
      prepared.map(async (p) => ({ ...p, endpoint: await endpointOf(p.url) })),
    );
    const overflow: Claim[] = [];
    // The claim took no more of a client than it may hold (heldBy): only endpoints' lines overflow.
    for (const q of queued) {
      const endpoint = endpointFor(q.endpoint);
      endpoint.webhookIds.add(q.webhookId);
      const openCircuit = circuitFor(q.endpoint).open;
      if (q.refusal || q.notSent || openCircuit || endpoint.sending < perEndpoint) {
        holdClaim(q.clientId, 1);
        sendOrShortCircuit(q, endpoint);
      } else if (waiting < MAX_WAITING) {
        holdClaim(q.clientId, 1);
        endpoint.line.push(q);
        waiting++;
      } else overflow.push(q.claim);
    }
    await releaseClaims(overflow);
    return prepared.length;
  };

  const loop = async () => {
    while (!stopping) {
      const room = concurrency - sending;
      if (room < refillAt || outcomesPiledUp()) {
        await rest(idleMs);
        continue;
      }
      const claimed = await fill(room).catch((error) => {
        logger.error({ err: error }, "delivery worker");
        return 0;
      });
      // Less than there was room for: all that is due was taken, and until something changes — an
      // answer or a written outcome that makes room, a publish — a claim would find no more.
      if (claimed < room && !stopping) {
        await rest(idleMs);
        // Woken by a publish: what else is published within a few ms comes in the same claim — one
        // write for many events when they come one by one, hundreds a second. (Woken by room made,
        // it claims at once.)
        if (published) {
          published = false;
          await new Promise((resolve) => setTimeout(resolve, GATHER_CLAIMS_MS));
        }
      }
    }
    // Stopping: what waits in a line is given back at once; what is being sent finishes.
    const lines = [...endpoints.values()].flatMap((e) => e.line.splice(0));
    waiting = 0;
    await releaseClaims(lines.map((p) => p.claim)).catch((error) =>
      logger.error({ err: error }, "delivery worker"),
    );
    while (sending > 0) await rest(idleMs);
    await recording;
  };

  const background = (every: number, task: () => Promise<unknown>, name: string) => {
    let running: Promise<unknown> | null = null;
    const run = () => {
      running ??= task()
        .catch((error) => logger.error({ err: error }, name))
        .finally(() => {
          running = null;
        });
    };
    run();
    const timer = setInterval(run, every);
    timer.unref();
    return {
      stop: () => {
        clearInterval(timer);
        return running;
      },
    };
  };
  // Beside the delivery loop, never inside it: deliveries keep flowing however long these take.
  const purge = background(PURGE_EVERY_MS, () => purgeExpiredLogs(), "delivery log purge");
  const replays = background(REPLAY_EVERY_MS, () => runReplays(), "delivery replays");
  const noticeEmails = background(NOTICE_EMAIL_EVERY_MS, () => sendNoticeEmails(), "notice emails");
  const workerId = randomUUID();
  const startedAt = new Date();
  const heartbeat = background(
    HEARTBEAT_EVERY_MS,
    () => beat(getDb(), workerId, startedAt),
    "delivery worker heartbeat",
  );

  // A publish wakes the loop at once (the rest is only the backstop).
  const stopListening = listenForDue(() => {
    published = true;
    signal();
  });
  const running = loop();
  return {
    stop: async () => {
      stopping = true;
      wake?.();
      logger.info({ inFlight: sending }, "delivery worker stopping: finishing the attempts in flight");
      await Promise.all([
        running,
        purge.stop(),
        replays.stop(),
        noticeEmails.stop(),
        heartbeat.stop(),
        stopListening(),
      ]);
      await endHeartbeat(getDb(), workerId).catch((error) => logger.error({ err: error }, "delivery worker"));
      logger.info("delivery worker stopped");
    },
  };
}
