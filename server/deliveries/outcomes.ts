/**
 * Recording what attempts came to, a batch per transaction: the attempt rows, the deliveries'
 * new states and their webhooks' health. Fenced: an outcome is written only while its worker still
 * holds the delivery's claim token — a worker whose lease ran out (and was taken over) writes
 * nothing, so no attempt is recorded twice.
 */
import { randomUUID } from "node:crypto";
import { getDb, type Tx } from "../db";
import { getEnv } from "../env";
import { Prisma } from "../generated/sqlite/client";
import { logger } from "../http/log";
import { noticeInsert } from "../notices/notices";
import { recordChange } from "../webhooks/webhook-history";
import { readWebhooks } from "../webhooks/webhook-sql";
import type { PreparedAttempt } from "./attempts";
import { addToHourlyStats } from "./hourly-stats";
import type { Outcome } from "./send";

export type AttemptResult = {
  prepared: PreparedAttempt;
  signature: string;
  outcome: Outcome;
  status: "success" | "pending" | "failure";
  /** When the next attempt is due (pending only), Unix ms. */
  dueAtMs: number | null;
  at: Date;
};

/**
 * Records a batch in one transaction. Should that fail, no other tenant's outcome may fail with
 * it (the claims would stay and every delivery in the batch be sent again after the lease): each is
 * then written alone, and one that still fails ends its delivery as a failure that says so.
 */
export async function recordOutcomes(results: AttemptResult[]): Promise<void> {
  try {
    await writeOutcomes(results);
  } catch (error) {
    if (results.length > 1)
      logger.error({ err: error }, "delivery outcomes: a batch failed; writing each alone");
    for (const result of results) {
      await writeOutcomes([result]).catch(async (rowError) => {
        logger.error(
          { err: rowError, deliveryId: result.prepared.claim.id },
          "delivery outcome could not be recorded",
        );
        await writeOutcomes([unrecordable(result)], { skipRecordedAttempt: true });
      });
    }
  }
}

/** What is recorded instead of an outcome that cannot be: a final failure naming why. */
const unrecordable = (result: AttemptResult): AttemptResult => ({
  ...result,
  signature: "",
  outcome: {
    status: null,
    excerpt:
      "not recorded: this attempt's outcome could not be stored, so the delivery was stopped instead of being sent again (see the server log)",
    latencyMs: result.outcome.latencyMs,
  },
  status: "failure",
  dueAtMs: null,
});

async function writeOutcomes(results: AttemptResult[], { skipRecordedAttempt = false } = {}): Promise<void> {
  if (results.length === 0) return;
  await getDb().$transaction(
    async (tx) => {
      const fenced = await releaseHeldDeliveries(tx, results);
      if (fenced.length === 0) return;
      // Plain SQL for the statements every outcome takes (the ORM's per-call cost adds up here).
      await tx.$executeRaw`
        INSERT INTO "DeliveryAttempt" ("id", "deliveryId", "attempt", "signature", "responseStatus", "responseBody",
          "responseBytes", "responseContentType", "latencyMs", "url", "createdAt")
        VALUES ${Prisma.join(
          fenced.map(
            ({ prepared, signature, outcome, at }) =>
              Prisma.sql`(${randomUUID()}, ${prepared.claim.id}, ${prepared.attempt}, ${signature}, ${outcome.status},
                ${outcome.excerpt}, ${outcome.bytes ?? null}, ${outcome.contentType ?? null}, ${outcome.latencyMs},
                ${prepared.url}, ${at})`,
          ),
        )}
        ${skipRecordedAttempt ? Prisma.sql`ON CONFLICT ("deliveryId", "attempt") DO NOTHING` : Prisma.empty}`;
      // Refusals (access lost, webhook gone or disabled) say nothing about the endpoint.
      const attempted = fenced.filter((r) => !r.prepared.refusal);
      await recordHealth(tx, attempted);
      await addToHourlyStats(
        tx,
        attempted.map((r) => ({
          webhookId: r.prepared.webhookId,
          at: r.at,
          succeeded: r.status === "success",
          latencyMs: r.outcome.latencyMs,
        })),
      );
    },
    { maxWait: 15_000, timeout: 15_000 },
  );
}

/**
 * Moves each delivery to its new state and ends its claim — the fence: only where the delivery
 * still carries the claim's token (a worker whose lease ran out and was taken over changes
 * nothing). The updates take the rows' locks, and PostgreSQL checks the token again on a row
 * changed meanwhile, so no read-and-lock statement is needed before them. Returns the results
 * whose claims were still held: the only ones to record.
 */
async function releaseHeldDeliveries(tx: Tx, results: AttemptResult[]): Promise<AttemptResult[]> {
  const held = new Set<string>();
  const succeeded = results.filter((r) => r.status === "success");
  // Successes, the common case, in one statement; the others each have their own due time.
  if (succeeded.length > 0) {
    const tokenOf = Prisma.join(
      succeeded.map(({ prepared: { claim } }) => Prisma.sql`WHEN ${claim.id} THEN ${claim.token}`),
      " ",
    );
    const updated = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "Delivery" SET "status" = 'success', "attempts" = "attempts" + 1, "dueAtMs" = NULL,
        "leaseUntilMs" = NULL, "claimToken" = NULL
      WHERE "id" IN (${Prisma.join(succeeded.map((r) => r.prepared.claim.id))})
        AND "claimToken" = CASE "id" ${tokenOf} END
      RETURNING "id"`;
    for (const { id } of updated) held.add(id);
  }
  for (const { prepared, status, dueAtMs } of results.filter((r) => r.status !== "success")) {
    const updated = await tx.$executeRaw`
      UPDATE "Delivery" SET "status" = ${status}, "attempts" = ${prepared.attempt},
        "dueAtMs" = ${dueAtMs === null ? null : BigInt(dueAtMs)}, "leaseUntilMs" = NULL, "claimToken" = NULL
      WHERE "id" = ${prepared.claim.id} AND "claimToken" = ${prepared.claim.token}`;
    if (updated > 0) held.add(prepared.claim.id);
  }
  return results.filter((r) => held.has(r.prepared.claim.id));
}

/** The receiver's "410 Gone": it wants no more deliveries, so the webhook is disabled at once. */
export const GONE = 410;

/**
 * Endpoint health per webhook: a success resets the failure streak; failures extend it, and a
 * webhook whose every attempt has failed for WEBHOOK_DISABLE_AFTER is disabled, with the reason
 * in its change history.
 */
async function recordHealth(tx: Tx, results: AttemptResult[]): Promise<void> {
  const byWebhook = new Map<string, AttemptResult[]>();
  for (const r of results) {
    const attempts = byWebhook.get(r.prepared.webhookId) ?? [];
    attempts.push(r);
    byWebhook.set(r.prepared.webhookId, attempts);
  }

  const healthy: string[] = [];
  const failing: { id: string; lastSuccessAt?: Date; failures: AttemptResult[] }[] = [];
  for (const [id, attempts] of byWebhook) {
    const lastSuccess = attempts.findLast((r) => r.status === "success");
    const failures = attempts.slice(lastSuccess ? attempts.indexOf(lastSuccess) + 1 : 0);
    if (failures.length === 0 && lastSuccess) healthy.push(id);
    else failing.push({ id, lastSuccessAt: lastSuccess?.at, failures });
  }
  if (healthy.length > 0) {
    // Those whose failing was noticed are told they recovered (usually none: a cheap keyed update).
    const recovered = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "Webhook" SET "failingNoticedAt" = NULL
      WHERE "id" IN (${Prisma.join(healthy)}) AND "failingNoticedAt" IS NOT NULL RETURNING "id"`;
    for (const { id } of recovered) {
      const success = byWebhook.get(id)?.at(-1)?.at;
      await tx.$executeRaw(noticeInsert(id, "recovered", "is receiving deliveries again.", success));
    }
    await tx.$executeRaw`
      UPDATE "Webhook" SET "lastSuccessAt" = ${new Date()}, "failingSince" = NULL, "failureStreak" = 0
      WHERE "id" IN (${Prisma.join(healthy)})`;
  }
  if (failing.length === 0) return;

  const current = new Map(
    (
      await tx.webhook.findMany({
        where: { id: { in: failing.map((f) => f.id) } },
        select: {
          id: true,
          failingSince: true,
          failureStreak: true,
          disabledAt: true,
          failingNoticedAt: true,
        },
      })
    ).map((w) => [w.id, w]),
  );
  const { WEBHOOK_DISABLE_AFTER: disableAfter, NOTIFY_FAILING_AFTER: noticeAfter } = getEnv();
  for (const { id, lastSuccessAt, failures } of failing) {
    const webhook = current.get(id);
    const first = failures[0];
    const last = failures.at(-1);
    if (!webhook || !first || !last) continue;
    // A success earlier in this batch started the streak afresh.
    const failingSince = (!lastSuccessAt && webhook.failingSince) || first.at;
    const failureStreak = (lastSuccessAt ? 0 : webhook.failureStreak) + failures.length;
    const gone = failures.find((r) => r.outcome.status === GONE);
    const disable =
      !webhook.disabledAt &&
      (gone !== undefined || last.at.getTime() - failingSince.getTime() >= disableAfter);
    const disabledReason = !disable
      ? undefined
      : gone
        ? `the receiver answered 410 Gone at ${gone.at.toISOString()}: it wants no more deliveries; re-enable the webhook once its URL is right`
        : `every attempt since ${failingSince.toISOString()} failed (${failureStreak} attempts; the last: ${
            last.outcome.status ?? last.outcome.excerpt
          })`;
    // Told once per failure streak: when it has lasted NOTIFY_FAILING_AFTER, or when it disables the webhook.
    const noticeFailing =
      !webhook.disabledAt &&
      !disable &&
      !webhook.failingNoticedAt &&
      last.at.getTime() - failingSince.getTime() >= noticeAfter;
    await tx.webhook.update({
      where: { id },
      data: {
        failingSince,
        failureStreak,
        ...(lastSuccessAt && { lastSuccessAt }),
        ...(disable && { disabledAt: (gone ?? last).at, disabledReason }),
        ...((disable || noticeFailing) && { failingNoticedAt: last.at }),
      },
    });
    if (noticeFailing) {
      await tx.$executeRaw(
        noticeInsert(
          id,
          "failing",
          `has failed every attempt since ${failingSince.toISOString()} (${failureStreak} attempts; the last: ${
            last.outcome.status ?? last.outcome.excerpt
          }).`,
          last.at,
        ),
      );
    }
    if (disable) {
      await tx.$executeRaw(
        noticeInsert(id, "disabled", `was disabled: ${disabledReason}.`, (gone ?? last).at),
      );
    }
    const [stored] = disable ? await readWebhooks(tx, [id]) : [];
    if (stored) {
      await tx.$executeRaw(
        recordChange({ action: "disabled", actor: "delivery worker" }, stored, stored, [
          { field: "disabled", before: null, after: disabledReason },
        ]),
      );
    }
  }
}
