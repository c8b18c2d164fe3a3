/**
 * The machine's limit for the benchmark: the same PATCH contract with no framework and no ORM —
 * node:http and the bare driver (better-sqlite3 or pg), the same shared schema for validation.
 * Not part of the product; `npm run bench` starts it beside the product to measure against.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import Database from "better-sqlite3";
import pg from "pg";
import { toContractMessages, updateWebhookInput } from "../server/webhooks/webhook.schemas";

type Row = Record<string, unknown>;
type Sql = {
  query: (sql: string, params?: unknown[]) => Promise<Row[]>;
  transaction: (run: (query: Sql["query"]) => Promise<void>) => Promise<void>;
};

function sqliteDriver(file: string): Sql {
  const db = new Database(file, { timeout: 5000 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const statements = new Map<string, Database.Statement>();
  const query = async (sql: string, params: unknown[] = []) => {
    const statement = statements.get(sql) ?? db.prepare(sql);
    statements.set(sql, statement);
    if (statement.reader) return statement.all(...params) as Row[];
    statement.run(...params);
    return [];
  };
  return {
    query,
    transaction: async (run) => {
      db.exec("BEGIN IMMEDIATE");
      try {
        await run(query);
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
  };
}

function postgresDriver(url: string): Sql {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    query: async (sql, params = []) => (await pool.query(numbered(sql), params)).rows,
    transaction: async (run) => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await run(async (sql, params = []) => (await client.query(numbered(sql), params)).rows);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

const databaseUrl = process.env.DATABASE_URL ?? "";
const sql = databaseUrl.startsWith("file:")
  ? sqliteDriver(databaseUrl.slice(5))
  : postgresDriver(databaseUrl);
const now = databaseUrl.startsWith("file:") ? () => new Date().toISOString() : () => new Date();

const send = (res: http.ServerResponse, status: number, body: unknown) => {
  const json = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  res.end(json);
};

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function patchWebhook(req: http.IncomingMessage, res: http.ServerResponse, webhookId: string) {
  const token = req.headers.authorization?.match(/^Bearer (\S+)$/)?.[1];
  const hash = token && createHash("sha256").update(token).digest("hex");
  const [client] = hash
    ? await sql.query(`SELECT "id", "ownerId" FROM "ApiClient" WHERE "tokenHash" = ?`, [hash])
    : [];
  if (!client) return send(res, 401, { message: "Unauthorized", statusCode: 401 });

  let body: unknown;
  try {
    body = JSON.parse((await readBody(req)) || "{}");
  } catch {
    return send(res, 400, {
      message: ["request body must be valid JSON"],
      error: "Bad Request",
      statusCode: 400,
    });
  }
  const parsed = updateWebhookInput.safeParse(body);
  if (!parsed.success) {
    return send(res, 400, {
      message: toContractMessages(parsed.error),
      error: "Bad Request",
      statusCode: 400,
    });
  }
  const input = parsed.data;
  const [found] = await sql.query(`SELECT "id" FROM "Webhook" WHERE "id" = ? AND "clientId" = ?`, [
    webhookId,
    client.id,
  ]);
  if (!found) return send(res, 404, { message: "Webhook not found", error: "Not Found", statusCode: 404 });
  if (input.facilities?.length) {
    const marks = input.facilities.map(() => "?").join(", ");
    const granted = await sql.query(
      `SELECT "facilityId" FROM "FacilityAccess" WHERE "userId" = ? AND "facilityId" IN (${marks})`,
      [client.ownerId, ...input.facilities],
    );
    if (granted.length !== input.facilities.length) {
      return send(res, 403, { message: "Forbidden Resource", error: "Forbidden", statusCode: 403 });
    }
  }
  const replace = async (
    query: Sql["query"],
    table: string,
    column: string,
    values: string[] | undefined,
  ) => {
    if (!values) return;
    await query(`DELETE FROM "${table}" WHERE "webhookId" = ?`, [webhookId]);
    for (const [position, value] of values.entries()) {
      await query(`INSERT INTO "${table}" ("webhookId", "${column}", "position") VALUES (?, ?, ?)`, [
        webhookId,
        value,
        position,
      ]);
    }
  };
  await sql.transaction(async (query) => {
    await query(`UPDATE "Webhook" SET "url" = COALESCE(?, "url"), "updatedAt" = ? WHERE "id" = ?`, [
      input.url ?? null,
      now(),
      webhookId,
    ]);
    await replace(query, "WebhookEvent", "event", input.events);
    await replace(query, "WebhookFacility", "facilityId", input.facilities);
    await replace(query, "WebhookSecret", "value", input.secrets);
  });
  const column = (table: string, name: string) =>
    sql
      .query(`SELECT "${name}" AS v FROM "${table}" WHERE "webhookId" = ? ORDER BY "position"`, [webhookId])
      .then((rows) => rows.map((r) => r.v));
  const [[webhook], events, facilities, secrets] = await Promise.all([
    sql.query(`SELECT "id", "url", "clientId" FROM "Webhook" WHERE "id" = ?`, [webhookId]),
    column("WebhookEvent", "event"),
    column("WebhookFacility", "facilityId"),
    column("WebhookSecret", "value"),
  ]);
  send(res, 201, { data: { ...webhook, events, facilities, secrets } });
}

const ROUTE = /^\/api\/v2\/public\/webhooks\/facility\/([^/?]+)$/;

http
  .createServer((req, res) => {
    const id = req.url?.match(ROUTE)?.[1];
    if (req.method !== "PATCH" || !id) return send(res, 404, { message: "Not Found", statusCode: 404 });
    patchWebhook(req, res, id).catch((error) => {
      console.error(error);
      send(res, 500, { message: "Internal Server Error", statusCode: 500 });
    });
  })
  .listen(Number(process.env.PORT ?? 3201), "127.0.0.1", () => console.log("limit server ready"));
