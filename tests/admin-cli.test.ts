import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { principalFromBearer } from "../server/auth/bearer";
import { getDb } from "../server/db";

const ROOT = path.resolve(import.meta.dirname, "..");

/** Runs `npm run admin -- …` as an operator would, against this test file's database. */
async function admin(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      "node_modules/.bin/tsx",
      ["scripts/admin.ts", ...args],
      {
        cwd: ROOT,
        env: { ...process.env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe("admin CLI", () => {
  it("adds a facility, a user with access to it, and an API client whose token authenticates", async () => {
    const tag = randomUUID().slice(0, 8);
    const email = `cli-${tag}@example.com`;
    expect((await admin("facility", "add", `P-${tag}`, "CLI Facility")).code).toBe(0);
    expect(
      (await admin("user", "add", email, "--password", "a-long-password", "--facility", `P-${tag}`)).code,
    ).toBe(0);

    const client = await admin("client", "add", "CLI client", "--user", email, "--json");
    expect(client.code).toBe(0);
    const lastLine = client.stdout.trim().split("\n").at(-1) ?? "";
    const { clientId, token } = JSON.parse(lastLine) as { clientId: string; token: string };
    expect(await principalFromBearer(`Bearer ${token}`)).toEqual({ userId: expect.any(String), clientId });

    const stored = await getDb().apiClient.findUniqueOrThrow({ where: { id: clientId } });
    expect(stored.tokenHash).not.toContain(token);
    const published = await admin(
      "event",
      "publish",
      "shift.created",
      "--facility",
      `P-${tag}`,
      "--data",
      '{"shiftId":"s-1"}',
    );
    expect(published.code).toBe(0);
    expect(JSON.parse(published.stdout.trim().split("\n").at(-1) ?? "")).toEqual({
      eventId: expect.any(String),
      deliveries: 0,
    });

    const access = await getDb().facilityAccess.findMany({ where: { user: { email } } });
    expect(access.map((a) => a.facilityId)).toEqual([`P-${tag}`]);
  }, 60_000); // three CLI processes, each compiling TypeScript at start

  it.each([
    [["facility", "add", "P-only-id"], /usage/],
    [
      ["user", "add", "not-an-email", "--password", "a-long-password", "--facility", "P-x"],
      /email must be a valid email/,
    ],
    [
      ["user", "add", "short@example.com", "--password", "short", "--facility", "P-x"],
      /at least 12 characters/,
    ],
    [
      ["user", "add", "nofacility@example.com", "--password", "a-long-password", "--facility", "P-none"],
      /no such facility: P-none/,
    ],
    [["client", "add", "Orphan", "--user", "nobody@example.com"], /no user with email nobody@example.com/],
    [["client", "add", "x", "--bogus"], /Unknown option '--bogus'/],
    [
      ["event", "publish", "shift.created", "--facility", "P-x", "--data", "{not json"],
      /--data must be valid JSON/,
    ],
    [
      ["event", "publish", "all", "--facility", "P-x", "--data", "{}"],
      /eventType must be one of the following values/,
    ],
    [[], /usage/],
  ])("refuses %j with a clear message, exit code 1 and no stack trace", async (args, message) => {
    const usersBefore = await getDb().user.count();
    const result = await admin(...args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(await getDb().user.count()).toBe(usersBefore);
  });
});
