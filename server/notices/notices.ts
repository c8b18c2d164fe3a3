/**
 * Notices: the admin is told when a webhook has been failing for NOTIFY_FAILING_AFTER, when it is
 * disabled (its failures went on for WEBHOOK_DISABLE_AFTER, or its receiver answered 410), and
 * when it recovers — in the app (the header's bell) and, with SMTP_URL, by email. A notice is
 * written in the same transaction as the outcome that raised it; the email goes out from there
 * (an outbox), so a slow mail server never holds up deliveries.
 */
import { randomUUID } from "node:crypto";
import nodemailer, { type Transporter } from "nodemailer";
import { getDb } from "../db";
import { getEnv } from "../env";
import { Prisma } from "../generated/sqlite/client";
import { logger } from "../http/log";
import { processSingleton } from "../process-singleton";

export type NoticeKind = "failing" | "disabled" | "recovered";

/** A notice taken for sending by a worker that stopped is sent by another after this long. */
const SENDING_LEASE_MS = 10 * 60_000;

/** At most one email per webhook in this long; notices within it stay in the app. */
export const EMAIL_EVERY_MS = 3_600_000;

/**
 * The INSERT raising a notice about webhook `webhookId` for its client's owner; `message` follows
 * the webhook's URL ("https://… has failed every attempt since …").
 */
export function noticeInsert(
  webhookId: string,
  kind: NoticeKind,
  message: string,
  at = new Date(),
): Prisma.Sql {
  const emailState = getEnv().SMTP_URL ? "pending" : "none";
  return Prisma.sql`
    INSERT INTO "Notice" ("id", "userId", "webhookId", "kind", "message", "createdAt", "emailState")
    SELECT ${randomUUID()}, c."ownerId", w."id", ${kind}, w."url" || ${` ${message}`}, ${at}, ${emailState}
    FROM "Webhook" w JOIN "ApiClient" c ON c."id" = w."clientId" WHERE w."id" = ${webhookId}`;
}

export type Notice = {
  id: string;
  webhookId: string;
  kind: NoticeKind;
  message: string;
  createdAt: string;
  read: boolean;
};

export const NOTICES_SHOWN = 50;

/** The user's newest notices, and how many are unread. */
export async function listNotices(userId: string): Promise<{ notices: Notice[]; unread: number }> {
  const db = getDb();
  const [rows, unread] = await Promise.all([
    db.notice.findMany({
      where: { userId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: NOTICES_SHOWN,
    }),
    countUnreadNotices(userId),
  ]);
  return {
    notices: rows.map((row) => ({
      id: row.id,
      webhookId: row.webhookId,
      kind: row.kind as NoticeKind,
      message: row.message,
      createdAt: row.createdAt.toISOString(),
      read: row.readAt !== null,
    })),
    unread,
  };
}

/** The bell's count: one indexed count per page. */
export const countUnreadNotices = (userId: string) =>
  getDb().notice.count({ where: { userId, readAt: null } });

export async function markNoticesRead(userId: string): Promise<number> {
  const { count } = await getDb().notice.updateMany({
    where: { userId, readAt: null },
    data: { readAt: new Date() },
  });
  return count;
}

const SUBJECTS: Record<NoticeKind, string> = {
  failing: "Webhook failing",
  disabled: "Webhook disabled",
  recovered: "Webhook recovered",
};

const transporter = (url: string): Transporter =>
  processSingleton(`smtp:${url}`, () => nodemailer.createTransport(url));

/**
 * Emails the pending notices, oldest first: each taken by one worker (a conditional update, with a
 * lease: one whose worker stopped mid-send is taken again after SENDING_LEASE_MS), held
 * back when its webhook had an email within the hour, marked failed (and logged) when the mail
 * server refuses it. Returns how many were sent.
 */
export async function sendNoticeEmails(now = Date.now()): Promise<number> {
  const { SMTP_URL, NOTIFY_EMAIL_FROM, APP_URL } = getEnv();
  if (!SMTP_URL) return 0;
  const db = getDb();
  let sent = 0;
  // Pending, or taken by a worker that stopped before it finished (its claim older than the lease).
  const due = {
    OR: [
      { emailState: "pending" },
      { emailState: "sending", emailedAt: { lt: new Date(now - SENDING_LEASE_MS) } },
    ],
  };
  const pending = await db.notice.findMany({
    where: due,
    orderBy: { createdAt: "asc" },
    take: 100,
  });
  for (const notice of pending) {
    const { count } = await db.notice.updateMany({
      where: { id: notice.id, ...due },
      data: { emailState: "sending", emailedAt: new Date(now) },
    });
    if (count === 0) continue; // another worker took it
    const recent = await db.notice.count({
      where: {
        webhookId: notice.webhookId,
        emailState: "sent",
        emailedAt: { gt: new Date(now - EMAIL_EVERY_MS) },
      },
    });
    if (recent > 0) {
      await db.notice.update({ where: { id: notice.id }, data: { emailState: "skipped" } });
      continue;
    }
    const user = await db.user.findUnique({
      where: { id: notice.userId },
      select: { email: true, disabledAt: true },
    });
    if (!user || user.disabledAt) {
      await db.notice.update({ where: { id: notice.id }, data: { emailState: "skipped" } });
      continue;
    }
    const link = APP_URL ? `\n\n${new URL(`/webhooks/${notice.webhookId}`, APP_URL)}` : "";
    try {
      await transporter(SMTP_URL).sendMail({
        from: NOTIFY_EMAIL_FROM,
        to: user.email,
        subject: `${SUBJECTS[notice.kind as NoticeKind] ?? "Webhook notice"}: ${notice.message.split(" ")[0]}`,
        text: `${notice.message}${link}\n\nYou receive this because you manage this webhook.`,
      });
      await db.notice.update({
        where: { id: notice.id },
        data: { emailState: "sent", emailedAt: new Date(now) },
      });
      sent++;
    } catch (error) {
      logger.error({ err: error, noticeId: notice.id }, "notice email could not be sent");
      await db.notice.update({ where: { id: notice.id }, data: { emailState: "failed" } });
    }
  }
  return sent;
}
