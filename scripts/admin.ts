/**
 * Operator CLI: `npm run admin -- <command>`.
 *   facility add <id> <name>
 *   user add <email> --password <pw> --facility <id> [--facility <id>…]
 *   user grant <email> --facility <id> [--facility <id>…]
 *   user revoke <email> --facility <id>
 *   user disable <email>
 *   client add <name> --user <email> [--json]
 *   client rotate <clientId> [--grace-hours <0-24>] [--json]
 *   client revoke <clientId>
 *   keys rotate
 *   signing-keys list
 *   signing-keys rotate [--overlap-hours <0-720>]
 *   event publish <eventType> --facility <id> --data '<json>'
 *   deliveries replay --webhook <id> --since <iso> [--until <iso>] [--event <type>]
 *     [--facility <id>] [--rate <per second>] [--dry-run]
 *   deliveries erase --match data.<field>=<value> [--dry-run]
 *   db backup <file>
 *   audit list --since <iso> [--user <email>] [--action <action>] [--limit <1-1000>] [--json]
 */
import { parseArgs } from "node:util";
import {
  addClient,
  addFacility,
  addUser,
  auditTrail,
  disableUser,
  grantFacilityAccess,
  revokeFacilityAccess,
} from "../server/accounts/accounts.service";
import { revokeClient, rotateClientToken } from "../server/accounts/clients.service";
import { rotateEncryptionKey } from "../server/crypto/key-rotation";
import { rotateSigningKeys, signingKeys } from "../server/crypto/signing-keys";
import { getDb } from "../server/db";
import { erasePayloads } from "../server/deliveries/erasure.service";
import { publishEvent } from "../server/deliveries/events.service";
import { previewReplay, startReplay } from "../server/deliveries/replays.service";
import { AppError, asAppError } from "../server/errors";
import { backupDatabase } from "../server/operations/backup";

const USAGE = `usage:
  npm run admin -- facility add <id> <name>
  npm run admin -- user add <email> --password <pw> --facility <id> [--facility <id>...]
  npm run admin -- user grant <email> --facility <id> [--facility <id>...]
  npm run admin -- user revoke <email> --facility <id>
  npm run admin -- user disable <email>
  npm run admin -- client add <name> --user <email> [--json]
  npm run admin -- client rotate <clientId> [--grace-hours <0-24>] [--json]
  npm run admin -- client revoke <clientId>
  npm run admin -- keys rotate
  npm run admin -- signing-keys list
  npm run admin -- signing-keys rotate [--overlap-hours <0-720>]
  npm run admin -- event publish <eventType> --facility <id> --data '<json>'
  npm run admin -- deliveries replay --webhook <id> --since <iso> [--until <iso>] [--event <type>]
                   [--facility <id>] [--rate <per second>] [--dry-run]
  npm run admin -- deliveries erase --match data.<field>=<value> [--dry-run]
  npm run admin -- db backup <file>
  npm run admin -- audit list --since <iso> [--user <email>] [--action <action>] [--limit <1-1000>] [--json]`;

class UsageError extends Error {}

async function run(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      password: { type: "string" },
      facility: { type: "string", multiple: true },
      user: { type: "string" },
      json: { type: "boolean" },
      data: { type: "string" },
      "grace-hours": { type: "string" },
      "overlap-hours": { type: "string" },
      webhook: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      event: { type: "string" },
      rate: { type: "string" },
      "dry-run": { type: "boolean" },
      action: { type: "string" },
      match: { type: "string" },
      limit: { type: "string" },
    },
  });
  const [resource, action, ...rest] = positionals;
  const command = `${resource ?? ""} ${action ?? ""}`;

  if (command === "facility add" && rest.length === 2) {
    const [id = "", name = ""] = rest;
    const facility = await addFacility({ id, name });
    console.log(`Added facility ${facility.id} (${facility.name})`);
  } else if (command === "user add" && rest.length === 1 && values.password) {
    const user = await addUser({
      email: rest[0] ?? "",
      password: values.password,
      facilityIds: values.facility ?? [],
    });
    console.log(`Added user ${user.email}`);
  } else if (command === "client add" && rest.length === 1 && values.user) {
    const client = await addClient({ name: rest[0] ?? "", ownerEmail: values.user });
    if (values.json) {
      console.log(JSON.stringify(client));
    } else {
      console.log(`Added API client ${client.clientId}`);
      console.log(`Bearer token (shown only now): ${client.token}`);
    }
  } else if (command === "user grant" && rest.length === 1 && values.facility?.length) {
    const user = await grantFacilityAccess({ email: rest[0] ?? "", facilityIds: values.facility });
    console.log(`Granted ${user.email} access to facility ${user.granted.join(", ")}`);
  } else if (command === "user revoke" && rest.length === 1 && values.facility?.length === 1) {
    const user = await revokeFacilityAccess({ email: rest[0] ?? "", facilityId: values.facility[0] ?? "" });
    console.log(`Revoked ${user.email}'s access to facility ${values.facility[0]}`);
  } else if (command === "user disable" && rest.length === 1) {
    const user = await disableUser({ email: rest[0] ?? "" });
    console.log(
      `Disabled ${user.email}: ended ${user.endedSessions} session(s); ${user.stoppedClients} API client(s) stopped`,
    );
  } else if (command === "client rotate" && rest.length === 1) {
    const graceHours = Number(values["grace-hours"] ?? 0);
    const rotated = await rotateClientToken({ manager: "operator", clientId: rest[0] ?? "", graceHours });
    if (values.json) console.log(JSON.stringify({ clientId: rotated.clientId, token: rotated.token }));
    else {
      console.log(`Rotated the token of API client ${rotated.clientId}`);
      console.log(
        rotated.previousTokenValidUntil
          ? `The previous token works until ${rotated.previousTokenValidUntil}`
          : "The previous token no longer works",
      );
      console.log(`New bearer token (shown only now): ${rotated.token}`);
    }
  } else if (command === "client revoke" && rest.length === 1) {
    const client = await revokeClient({ manager: "operator", clientId: rest[0] ?? "" });
    console.log(`Revoked API client ${client.id} (${client.name}): its tokens no longer work`);
  } else if (command === "keys rotate" && rest.length === 0) {
    const rotated = await rotateEncryptionKey();
    console.log(
      `Re-sealed ${rotated.resealed} webhook secret(s), history snapshot(s) and signing key(s) with key ${rotated.keyId}`,
    );
    if (rotated.fromEnvironment) console.log("Remove the other keys from APP_ENCRYPTION_KEY now.");
  } else if (command === "signing-keys list" && rest.length === 0) {
    for (const key of await signingKeys()) {
      const until = key.retiresAt ? `signs until ${key.retiresAt.toISOString()}` : "the newest";
      console.log(`${key.kid}  made ${key.createdAt.toISOString()}, ${until}`);
    }
  } else if (command === "signing-keys rotate" && rest.length === 0) {
    const overlap = values["overlap-hours"];
    const rotated = await rotateSigningKeys(overlap === undefined ? {} : { overlapHours: Number(overlap) });
    console.log(`New Ed25519 signing key ${rotated.kid}: it signs and is published from now on`);
    for (const { kid, retiresAt } of rotated.retiring) {
      console.log(`Key ${kid} keeps signing until ${retiresAt.toISOString()}, then retires`);
    }
  } else if (command === "event publish" && rest.length === 1 && values.facility?.length === 1) {
    let data: unknown;
    try {
      data = JSON.parse(values.data ?? "{}");
    } catch {
      throw new AppError("BAD_REQUEST", "--data must be valid JSON");
    }
    const published = await publishEvent({ eventType: rest[0], facilityId: values.facility[0], data });
    console.log(JSON.stringify(published));
  } else if (command === "deliveries replay" && rest.length === 0 && values.webhook && values.since) {
    const filter = {
      webhookId: values.webhook,
      since: values.since,
      until: values.until,
      eventType: values.event,
      facilityId: values.facility?.[0],
      perSecond: values.rate === undefined ? undefined : Number(values.rate),
    };
    if (values["dry-run"]) {
      const { count } = await previewReplay({ operator: true }, filter);
      console.log(`${count} failed deliveries match; nothing replayed (--dry-run)`);
    } else {
      const replay = await startReplay({ operator: true }, filter);
      console.log(
        `Replaying ${replay.total} failed deliveries at ${replay.perSecond}/s in the background (replay ${replay.id}); the running workers send them`,
      );
    }
  } else if (command === "deliveries erase" && rest.length === 0 && values.match !== undefined) {
    const erased = await erasePayloads({ match: values.match, dryRun: values["dry-run"] });
    const counts = `${erased.events} event(s), ${erased.deliveries} deliveries, ${erased.attempts} attempt(s)`;
    console.log(
      erased.dryRun
        ? `${counts} match; nothing erased (--dry-run)`
        : `Erased the payloads of ${counts}: ids, times, statuses and signatures stay`,
    );
  } else if (command === "db backup" && rest.length === 1) {
    const backup = await backupDatabase(rest[0] ?? "");
    console.log(`Backed up the database to ${backup.file} (${(backup.bytes / 1024 / 1024).toFixed(1)} MB)`);
    if (backup.keyFile)
      console.log(`The sealing key is in ${backup.keyFile}: keep it with the backup, and as safe`);
    if (backup.keyFromEnvironment) {
      console.log("Webhook secrets in it are sealed with APP_ENCRYPTION_KEY: a restore needs that key too");
    }
  } else if (command === "audit list" && rest.length === 0 && values.since) {
    const { entries } = await auditTrail({
      since: values.since,
      userEmail: values.user,
      action: values.action as never, // checked by the service against the actions it knows
      limit: values.limit === undefined ? undefined : Number(values.limit),
    });
    for (const entry of entries) {
      if (values.json) console.log(JSON.stringify(entry));
      else {
        const from = [entry.ip, entry.userAgent].filter(Boolean).join(", ");
        console.log(
          `${entry.createdAt}  ${entry.actor}${from ? ` (${from})` : ""}  ${entry.action}  ${entry.target}  ${JSON.stringify(entry.details)}`,
        );
      }
    }
    if (!values.json)
      console.error(`${entries.length} entr${entries.length === 1 ? "y" : "ies"}, newest first`);
  } else {
    throw new UsageError(`unknown or incomplete command: ${argv.join(" ") || "(none)"}`);
  }
}

try {
  await run(process.argv.slice(2));
} catch (error) {
  const refusal = asAppError(error);
  if (refusal) console.error(`error: ${refusal.messages.join("; ") || refusal.message}`);
  else if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`error: ${(error as Error).message}\n${USAGE}`);
  } else throw error;
  process.exitCode = 1;
} finally {
  // A PostgreSQL pool would otherwise keep the process alive until its idle connections time out.
  await getDb().$disconnect();
}
