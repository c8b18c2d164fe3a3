"use client";
import { useId, useState } from "react";
import type { WebhookSigning } from "@/server/webhooks/webhook-signing.service";
import { api, useApiCall } from "./api";
import { CopyButton } from "./copy-button";
import { formatTime } from "./format-time";
import { notify } from "./notify";
import { Checkbox } from "./ui/checkbox";
import { useHydrated } from "./use-hydrated";

export const SIGNING_KEYS_PATH = "/api/v2/public/webhooks/signing-keys";

/** Standard Webhooks' own form of a public key: `whpk_` and the raw key in (padded) base64. */
const whpk = (x: string) => {
  const base64 = x.replaceAll("-", "+").replaceAll("_", "/");
  return `whpk_${base64}${"=".repeat((4 - (base64.length % 4)) % 4)}`;
};

/**
 * The edit page's Ed25519 section: opting this webhook in to `v1a` signatures, and the platform's
 * public keys its receiver verifies them with — each copyable, as the JWK set serves them.
 */
export function Ed25519Signing({ webhookId, initial }: { webhookId: string; initial: WebhookSigning }) {
  const [signing, setSigning] = useState(initial);
  // The box shows the choice at once; a refusal puts it back.
  const { pending, call } = useApiCall((error) => {
    setSigning((current) => ({ ...current, ed25519: !current.ed25519 }));
    notify("error", error.message);
  });
  const headingId = useId();
  const optInId = useId();
  const hydrated = useHydrated();
  const toggle = (enabled: boolean) =>
    call(async () => {
      setSigning((current) => ({ ...current, ed25519: enabled }));
      setSigning(await api.webhooks.setEd25519.mutate({ id: webhookId, enabled }));
      notify(
        "success",
        enabled ? "Deliveries are signed with Ed25519 (v1a) as well" : "Ed25519 (v1a) signatures turned off",
      );
    });
  return (
    <section aria-labelledby={headingId} className="mt-10 max-w-2xl space-y-3 border-t border-slate-200 pt-6">
      <h2 id={headingId} className="text-lg font-semibold">
        Ed25519 signatures (v1a)
      </h2>
      <p className="text-sm text-slate-600">
        With these on, every attempt also carries <code>v1a,&lt;base64&gt;</code> per platform key in the{" "}
        <code>webhook-signature</code> header, beside the secrets' <code>v1</code> signatures. The receiver
        verifies them with the public keys below: they can check a signature, never make one.
      </p>
      <div className="flex items-center gap-2 text-sm">
        <Checkbox
          id={optInId}
          checked={signing.ed25519}
          disabled={pending || !hydrated}
          onChange={(event) => toggle(event.currentTarget.checked)}
        />
        <label htmlFor={optInId}>Sign this webhook's deliveries with Ed25519 as well</label>
        <noscript>
          <span className="text-slate-600">(changing it needs JavaScript)</span>
        </noscript>
      </div>
      <p className="text-sm text-slate-600">
        Public keys, also served as a JWK set at{" "}
        <a className="underline" href={SIGNING_KEYS_PATH}>
          {SIGNING_KEYS_PATH}
        </a>
        :
      </p>
      <ul className="space-y-2">
        {signing.keys.map(({ jwk, createdAt, retiresAt }) => (
          <li key={jwk.kid} className="rounded border border-slate-200 p-3 text-sm">
            <p className="flex flex-wrap items-center gap-2">
              <span className="text-slate-600">Key id</span>
              <code className="break-all">{jwk.kid}</code>
              <CopyButton value={jwk.kid} label={`Copy key id ${jwk.kid}`} />
            </p>
            <p className="mt-1 flex flex-wrap items-center gap-2">
              <span className="text-slate-600">Public key (base64url)</span>
              <code className="break-all">{jwk.x}</code>
              <CopyButton value={jwk.x} label={`Copy public key ${jwk.kid}`} />
              <CopyButton value={JSON.stringify(jwk)} label={`Copy JWK of key ${jwk.kid}`} text="Copy JWK" />
            </p>
            <p className="mt-1 flex flex-wrap items-center gap-2">
              <span className="text-slate-600">Standard Webhooks form</span>
              <code className="break-all">{whpk(jwk.x)}</code>
              <CopyButton value={whpk(jwk.x)} label={`Copy key ${jwk.kid} in Standard Webhooks form`} />
            </p>
            <p className="mt-1 text-xs text-slate-600">
              Made {formatTime(createdAt)}
              {retiresAt ? `; signs until ${formatTime(retiresAt)}, then retires` : "; the newest key"}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
