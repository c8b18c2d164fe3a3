process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { listAuditEntries } from "../server/audit/audit";
import { getDb } from "../server/db";
import { deliveryLogQuery } from "../server/deliveries/delivery.schemas";
import { searchDeliveryLog } from "../server/deliveries/delivery-log.service";
import { ERASED_ANSWER, erasePayloads } from "../server/deliveries/erasure.service";
import { publishEvent } from "../server/deliveries/events.service";
import { runDueDeliveries } from "../server/deliveries/worker";
import { AppError } from "../server/errors";
import { createWebhook } from "../server/webhooks/webhook.service";
import { adminWithEnv, createTenant, type Tenant } from "./helpers";
import { startReceiver } from "./https-receiver";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let tenant: Tenant;
/** Unique to this file's run: other test files' events never match. */
const clinician = `c-${Date.now().toString(36)}`;

const log = async () =>
  searchDeliveryLog({ principal: tenant.clientPrincipal, query: deliveryLogQuery.parse({ limit: "100" }) });

beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"));
  tenant = await createTenant(1);
  const facilityId = tenant.facilityIds[0] ?? "";
  for (const url of [receiver.url("/a"), receiver.url("/b")]) {
    await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url, events: ["all"], facilities: [facilityId] },
    });
  }
  // Five events name the clinician (two webhooks each: ten deliveries), three do not.
  for (let i = 0; i < 8; i++) {
    await publishEvent({
      eventType: "shift.request.created",
      facilityId,
      data: {
        shiftId: `s-${i}`,
        clinicianId: i < 5 ? clinician : `c-other-${i}`,
        clinicianContactPhone: "555-0100",
      },
    });
  }
  await runDueDeliveries({ now: Date.now() });
});
afterAll(() => receiver.close());

describe("erasing a person's data from stored payloads", () => {
  it("counts what matches on a dry run and changes nothing", async () => {
    const before = await log();
    expect(await erasePayloads({ match: `data.clinicianId=${clinician}`, dryRun: true })).toEqual({
      events: 5,
      deliveries: 10,
      attempts: 10,
      dryRun: true,
    });
    expect(await log()).toEqual(before);
  });

  it("redacts the matching payloads and the receivers' answers, in batches, keeping ids, times, statuses and signatures", async () => {
    const before = await log();
    const attemptsBefore = await getDb().deliveryAttempt.findMany({ orderBy: { id: "asc" } });
    // Batches of 3 events: the matches span several batches, and each batch is redacted on its own.
    const erased = await erasePayloads({ match: `data.clinicianId=${clinician}` }, { batch: 3 });
    expect(erased).toEqual({ events: 5, deliveries: 10, attempts: 10, dryRun: false });

    const after = await log();
    expect(after.map((entry) => [entry.id, entry.status, entry.responseStatus])).toEqual(
      before.map((entry) => [entry.id, entry.status, entry.responseStatus]),
    );
    const named = after.filter((entry) => JSON.stringify(entry).includes(clinician));
    expect(named).toEqual([]);
    const redacted = after.filter((entry) => (entry.requestPayload as { data: unknown }).data === null);
    expect(redacted).toHaveLength(10);
    expect(redacted[0]?.requestPayload).toEqual({
      data: null,
      erasedAt: expect.any(String),
      eventType: "shift.request.created",
    });
    expect(redacted.every((entry) => entry.responseBody === ERASED_ANSWER)).toBe(true);
    // The others are untouched, and every attempt keeps its signature, status and time.
    expect(after.filter((entry) => (entry.requestPayload as { data: unknown }).data !== null)).toHaveLength(
      6,
    );
    const attemptsAfter = await getDb().deliveryAttempt.findMany({ orderBy: { id: "asc" } });
    expect(attemptsAfter.map(({ responseBody: _, ...kept }) => kept)).toEqual(
      attemptsBefore.map(({ responseBody: _, ...kept }) => kept),
    );

    // Recorded for the operator with the field and the counts, never the value erased.
    const [entry] = (await listAuditEntries({ action: "deliveries.erased", limit: 1 })).entries;
    expect(entry).toMatchObject({ actor: "operator", details: { events: 5, deliveries: 10, attempts: 10 } });
    expect(JSON.stringify(entry)).not.toContain(clinician);

    // Nothing left to erase.
    expect((await erasePayloads({ match: `data.clinicianId=${clinician}`, dryRun: true })).events).toBe(0);
  });

  it("refuses a match it cannot run, with a message, and erases nothing", async () => {
    for (const [match, message] of [
      [`clinicianId=${clinician}`, "match must name a field of the event's data"],
      ["eventType=shift.request.created", "match must name a field of the event's data"],
      ["data.clinicianId", "payload must be a field path and its value"],
    ] as const) {
      const refusal = await erasePayloads({ match }).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(AppError);
      expect((refusal as AppError).messages.join(" ")).toContain(message);
    }
    const cli = await adminWithEnv(
      {},
      "deliveries",
      "erase",
      "--match",
      "data.clinicianId=c-other-5",
      "--dry-run",
    );
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain("1 event(s), 2 deliveries, 2 attempt(s) match; nothing erased (--dry-run)");
    const refused = await adminWithEnv({}, "deliveries", "erase", "--match", "shiftId=s-1");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "error: match must name a field of the event's data, e.g. data.clinicianId=c-42",
    );
  });
});
