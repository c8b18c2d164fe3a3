process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";
process.env.WEBHOOK_RETRY_SCHEDULE = "30m,30m,30m,30m,30m";
process.env.WEBHOOK_RETRY_JITTER = "0";
process.env.NOTIFY_FAILING_AFTER = "1h";
process.env.WEBHOOK_DISABLE_AFTER = "2h";
process.env.APP_URL = "https://webhooks.example";

import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getDb } from "../server/db";
import { publishEvent } from "../server/deliveries/events.service";
import { runDueDeliveries } from "../server/deliveries/worker";
import { listNotices, markNoticesRead, sendNoticeEmails } from "../server/notices/notices";
import { createWebhook, reenableWebhook } from "../server/webhooks/webhook.service";
import { createTenant, type Tenant } from "./helpers";
import { startReceiver } from "./https-receiver";

type Mail = { to: string; subject: string; text: string };
const mails: Mail[] = [];
/** A real SMTP server: nodemailer speaks SMTP to it as it would to the operator's. */
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  onData(stream, _session, callback) {
    simpleParser(stream)
      .then((parsed) => {
        const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
        mails.push({ to: to?.text ?? "", subject: parsed.subject ?? "", text: parsed.text ?? "" });
        callback();
      })
      .catch(callback);
  },
});
await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
process.env.SMTP_URL = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let tenant: Tenant;
let webhookId: string;
/** Just after the first event was published: its first attempt is due then. */
let t0: number;
const HOUR = 3_600_000;

/** Runs the worker at `t0 + at`: the attempts due then are made, and their notices raised. */
const at = (ms: number) => runDueDeliveries({ now: t0 + ms });
const kinds = async () => (await listNotices(tenant.user.id)).notices.map((n) => n.kind).reverse();

beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"));
  tenant = await createTenant(1);
  webhookId = (
    await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: receiver.url("/notices"), events: ["shift.created"], facilities: tenant.facilityIds },
    })
  ).id;
  receiver.setDown(true);
  await publishEvent({
    eventType: "shift.created",
    facilityId: tenant.facilityIds[0] ?? "",
    data: { shiftId: "s-1" },
  });
  t0 = Date.now();
});
afterAll(async () => {
  await receiver.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe("notices", () => {
  it("tell the admin once a webhook has failed for NOTIFY_FAILING_AFTER, in the app and by email", async () => {
    await at(0);
    await at(30 * 60_000);
    expect(await kinds()).toEqual([]); // failing for 30 minutes: not yet
    await at(HOUR);
    await at(HOUR + 30 * 60_000); // still failing: no second notice for the same streak
    const { notices, unread } = await listNotices(tenant.user.id);
    expect(notices.map((n) => n.kind)).toEqual(["failing"]);
    expect(unread).toBe(1);
    expect(notices[0]?.message).toMatch(
      /^https:\/\/127\.0\.0\.1:\d+\/notices has failed every attempt since .* \(3 attempts; the last: 503\)\.$/,
    );

    expect(await sendNoticeEmails(t0 + HOUR)).toBe(1);
    expect(mails).toEqual([
      {
        to: tenant.user.email,
        subject: `Webhook failing: ${receiver.url("/notices")}`,
        text: expect.stringContaining(`https://webhooks.example/webhooks/${webhookId}`),
      },
    ]);
    expect(await sendNoticeEmails(t0 + HOUR)).toBe(0); // each notice once
  });

  it("tell when the webhook is disabled, at most one email per webhook per hour, and when it recovers", async () => {
    await at(2 * HOUR); // failing for 2h: disabled
    expect(await kinds()).toEqual(["failing", "disabled"]);
    expect(await sendNoticeEmails(t0 + HOUR + 10 * 60_000)).toBe(0); // within the hour of the last email
    const disabled = await getDb().notice.findFirstOrThrow({ where: { webhookId, kind: "disabled" } });
    expect(disabled.emailState).toBe("skipped"); // in the app only
    expect(disabled.message).toContain("was disabled: every attempt since");

    await reenableWebhook({ principal: tenant.userPrincipal, webhookId });
    receiver.setDown(false);
    await publishEvent({
      eventType: "shift.created",
      facilityId: tenant.facilityIds[0] ?? "",
      data: { shiftId: "s-2" },
    });
    await at(3 * HOUR);
    expect(await kinds()).toEqual(["failing", "disabled", "recovered"]);
    expect(await sendNoticeEmails(t0 + 3 * HOUR)).toBe(1);
    expect(mails.at(-1)?.subject).toBe(`Webhook recovered: ${receiver.url("/notices")}`);
    await at(4 * HOUR);
    expect(await kinds()).toHaveLength(3); // healthy and staying so: nothing more to tell

    expect(await markNoticesRead(tenant.user.id)).toBe(3);
    expect((await listNotices(tenant.user.id)).unread).toBe(0);
  });

  it("only ever reach the webhook's own admin", async () => {
    const other = await createTenant(1);
    expect((await listNotices(other.user.id)).notices).toEqual([]);
    expect(mails.every((mail) => mail.to === tenant.user.email)).toBe(true);
  });

  it("are emailed by another worker when the one sending them stopped mid-send", async () => {
    const other = await createTenant(1);
    const { id } = await createWebhook({
      principal: other.clientPrincipal,
      input: { url: receiver.url("/stopped"), events: ["shift.created"], facilities: other.facilityIds },
    });
    const now = Date.now();
    // Two notices taken by a worker that then stopped: one just now (its lease runs), one 20 minutes ago.
    const taken = (minutesAgo: number) => ({
      userId: other.user.id,
      webhookId: id,
      kind: "failing",
      message: `${receiver.url("/stopped")} has failed.`,
      emailState: "sending",
      emailedAt: new Date(now - minutesAgo * 60_000),
    });
    await getDb().notice.create({ data: taken(1) });
    const stale = await getDb().notice.create({ data: taken(20) });
    const before = mails.length;
    expect(await sendNoticeEmails(now)).toBe(1);
    expect(mails.slice(before).map((mail) => mail.to)).toEqual([other.user.email]);
    expect((await getDb().notice.findUniqueOrThrow({ where: { id: stale.id } })).emailState).toBe("sent");
  });
});
