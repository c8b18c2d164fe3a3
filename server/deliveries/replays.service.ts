/**
 * Bulk replay after an outage: an admin (Deliveries tab) or an operator (CLI) picks a webhook's
 * failed deliveries by time range, event and facility, sees how many, and starts a replay that the
 * workers carry out in the background at a bounded rate. A replayed delivery is simply pending
 * again, due now: an ordinary new attempt of the same delivery (same id, so receivers can
 * de-duplicate). Deliveries already at MAX_ATTEMPTS_PER_DELIVERY are passed over.
 */
import { accessibleFacilityIds } from "../access/access";
import type { Principal } from "../auth/principal";
import { getDb } from "../db";
import { getEnv } from "../env";
import { AppError, parseInput } from "../errors";
import { Prisma } from "../generated/sqlite/client";
import { getWebhook } from "../webhooks/webhook.service";
import { type RequestOrigin, recordChange } from "../webhooks/webhook-history";
import { readWebhooks } from "../webhooks/webhook-sql";
import { MAX_ATTEMPTS_PER_DELIVERY, type ReplayFilter, replayFilterInput } from "./delivery.schemas";

/** Who asks: a signed-in admin (only their webhooks and facilities) or the operator's CLI. */
export type ReplayActor = { principal: Principal; origin?: RequestOrigin } | { operator: true };

type Scope = {
  webhookId: string;
  since: Date;
  until: Date;
  eventType: string | null;
  /** null: every facility. */
  facilityIds: string[] | null;
};

const failedIn = (scope: Scope, after?: { createdAt: Date; id: string }): Prisma.DeliveryWhereInput => ({
  webhookId: scope.webhookId,
  status: "failure",
  attempts: { lt: MAX_ATTEMPTS_PER_DELIVERY },
  createdAt: { gte: scope.since, lte: scope.until },
  ...(scope.eventType && { eventType: scope.eventType }),
  ...(scope.facilityIds && { facilityId: { in: scope.facilityIds } }),
  ...(after && {
    OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
  }),
});

/** The filter as a scope the actor may replay: their webhook, their facilities. 404 otherwise. */
async function scopeFor(actor: ReplayActor, filter: ReplayFilter): Promise<Scope> {
  const base = {
    webhookId: filter.webhookId,
    since: new Date(filter.since),
    until: filter.until ? new Date(filter.until) : new Date(),
    eventType: filter.eventType ?? null,
  };
  if ("operator" in actor) {
    const exists = await getDb().webhook.findUnique({
      where: { id: filter.webhookId },
      select: { id: true },
    });
    if (!exists) throw new AppError("NOT_FOUND", `no webhook with id ${filter.webhookId}`);
    return { ...base, facilityIds: filter.facilityId ? [filter.facilityId] : null };
  }
  await getWebhook({ principal: actor.principal, webhookId: filter.webhookId }); // 404 unless theirs
  const accessible = await accessibleFacilityIds(getDb(), actor.principal.userId);
  return {
    ...base,
    facilityIds: filter.facilityId ? accessible.filter((id) => id === filter.facilityId) : accessible,
  };
}

/** How many deliveries a replay with this filter would resend now. */
export async function previewReplay(actor: ReplayActor, input: unknown): Promise<{ count: number }> {
  const scope = await scopeFor(actor, parseInput(replayFilterInput, input));
  return { count: await getDb().delivery.count({ where: failedIn(scope) }) };
}

/** Starts a replay; the workers carry it out. Recorded in the webhook's change history. */
export async function startReplay(actor: ReplayActor, input: unknown) {
  const filter = parseInput(replayFilterInput, input);
  const scope = await scopeFor(actor, filter);
  const db = getDb();
  const total = await db.delivery.count({ where: failedIn(scope) });
  if (total === 0) throw new AppError("BAD_REQUEST", "no failed deliveries match: nothing to replay");
  const requestedBy =
    "operator" in actor
      ? "operator"
      : ((await db.user.findUnique({ where: { id: actor.principal.userId }, select: { email: true } }))
          ?.email ?? "");
  const [webhook] = await readWebhooks(db, [scope.webhookId]);
  if (!webhook) throw new AppError("NOT_FOUND", "Webhook not found");
  const [replay] = await db.$transaction([
    db.deliveryReplay.create({
      data: {
        webhookId: scope.webhookId,
        requestedBy,
        since: scope.since,
        until: scope.until,
        eventType: scope.eventType,
        facilityIds: JSON.stringify(scope.facilityIds),
        perSecond: filter.perSecond ?? getEnv().WEBHOOK_REPLAY_PER_SECOND,
        total,
      },
    }),
    db.$executeRaw(
      recordChange(
        "operator" in actor
          ? { action: "replay-started", actor: "operator" }
          : { principal: actor.principal, origin: actor.origin, action: "replay-started" },
        webhook,
        webhook,
        [
          {
            field: "replay",
            before: null,
            after: `${total} failed deliveries from ${scope.since.toISOString()} to ${scope.until.toISOString()}`,
          },
        ],
      ),
    ),
  ]);
  return replay;
}

/** A webhook's latest replays, newest first, for the progress bar. */
export async function listReplays({ principal, webhookId }: { principal: Principal; webhookId: string }) {
  await getWebhook({ principal, webhookId });
  return getDb().deliveryReplay.findMany({
    where: { webhookId },
    orderBy: { createdAt: "desc" },
    take: 5,
    select: {
      id: true,
      status: true,
      total: true,
      handled: true,
      replayed: true,
      perSecond: true,
      since: true,
      until: true,
      eventType: true,
      requestedBy: true,
      createdAt: true,
    },
  });
}

/** Stops a running replay; deliveries already made pending are still sent. */
export async function cancelReplay({ principal, replayId }: { principal: Principal; replayId: string }) {
  const replay = await getDb().deliveryReplay.findUnique({
    where: { id: replayId },
    select: { webhookId: true },
  });
  if (!replay) throw new AppError("NOT_FOUND", "Replay not found");
  await getWebhook({ principal, webhookId: replay.webhookId });
  await getDb().deliveryReplay.updateMany({
    where: { id: replayId, status: "running" },
    data: { status: "cancelled", finishedAt: new Date() },
  });
}

/** Running replays looked at per second; beyond these, the oldest turns come first next time. */
const REPLAYS_PER_TICK = 1000;

type DueReplay = { id: string; clientId: string; perSecond: number };

/**
 * Shares one second's budget between due replays: a unit at a time, round robin across API
 * clients and, within a client, across its replays, none past its own `perSecond`. So twenty
 * long replays of one tenant take one tenant's share, never the others' turn.
 */
export function shareReplayBudget(due: DueReplay[], budget: number): Map<string, number> {
  const byClient = new Map<string, DueReplay[]>();
  for (const replay of due) byClient.set(replay.clientId, [...(byClient.get(replay.clientId) ?? []), replay]);
  const shares = new Map<string, number>();
  const clients = [...byClient.values()].map((replays) => ({ replays, next: 0 }));
  let left = budget;
  while (left > 0 && clients.length > 0) {
    for (let c = 0; c < clients.length && left > 0; ) {
      const client = clients[c];
      if (!client) break;
      const open = client.replays.filter((r) => (shares.get(r.id) ?? 0) < r.perSecond);
      const replay = open[client.next++ % Math.max(1, open.length)];
      if (!replay) {
        clients.splice(c, 1); // every replay of this client has its fill
        continue;
      }
      shares.set(replay.id, (shares.get(replay.id) ?? 0) + 1);
      left--;
      c++;
    }
  }
  return shares;
}

/**
 * The workers' part, each second: steps of the running replays that are due, within one budget
 * (WEBHOOK_REPLAY_BUDGET_PER_SECOND deliveries made pending) shared fairly between tenants. A
 * replay left without a share this second keeps its turn (oldest due first) for the next.
 */
export async function runReplays(now = new Date()): Promise<void> {
  const due = await getDb().deliveryReplay.findMany({
    where: { status: "running", stepDueAt: { lte: now } },
    select: { id: true, perSecond: true, webhook: { select: { clientId: true } } },
    orderBy: [{ stepDueAt: "asc" }, { id: "asc" }],
    take: REPLAYS_PER_TICK,
  });
  const shares = shareReplayBudget(
    due.map(({ id, perSecond, webhook }) => ({ id, perSecond, clientId: webhook.clientId })),
    getEnv().WEBHOOK_REPLAY_BUDGET_PER_SECOND,
  );
  for (const [id, take] of shares) await replayStep(id, take, now);
}

/**
 * Makes the next `take` matching deliveries pending, oldest first after the cursor. The replay's
 * row is locked for the step, so with several workers each step runs once.
 */
async function replayStep(id: string, take: number, now: Date): Promise<void> {
  const lock = getEnv().provider === "postgresql" ? Prisma.raw("FOR UPDATE") : Prisma.empty;
  await getDb().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "DeliveryReplay" WHERE "id" = ${id} ${lock}`;
    const replay = await tx.deliveryReplay.findUnique({ where: { id } });
    if (replay?.status !== "running" || replay.stepDueAt > now) return;
    const scope: Scope = { ...replay, facilityIds: JSON.parse(replay.facilityIds) as string[] | null };
    const cursor =
      replay.cursorCreatedAt && replay.cursorId
        ? { createdAt: replay.cursorCreatedAt, id: replay.cursorId }
        : undefined;
    const batch = await tx.delivery.findMany({
      where: failedIn(scope, cursor),
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take,
      select: { id: true, createdAt: true },
    });
    const { count } = await tx.delivery.updateMany({
      where: { id: { in: batch.map((d) => d.id) }, status: "failure" },
      data: { status: "pending", dueAtMs: BigInt(now.getTime()), leaseUntilMs: null, claimToken: null },
    });
    const last = batch.at(-1);
    const done = batch.length < take;
    await tx.deliveryReplay.update({
      where: { id },
      data: {
        handled: { increment: batch.length },
        replayed: { increment: count },
        ...(last && { cursorCreatedAt: last.createdAt, cursorId: last.id }),
        stepDueAt: new Date(now.getTime() + 1000),
        ...(done && { status: "done", finishedAt: now }),
      },
    });
  });
}
