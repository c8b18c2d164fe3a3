"use client";
import { useId, useState } from "react";
import type { SignatureDebug } from "@/server/deliveries/signature-debugger";
import { trpc } from "./trpc";
import { Button } from "./ui/button";

const FIELD = "w-full rounded-md border border-slate-300 bg-white p-2 font-mono text-xs";

/**
 * One attempt's signatures explained: what was signed, by which secrets (fingerprints), and — with
 * what the receiver computed pasted in — the mistake that explains a mismatch.
 */
export function SignatureDebugger({ deliveryId, attempt }: { deliveryId: string; attempt: number }) {
  const id = useId();
  const [header, setHeader] = useState<"standard" | "nursa">("standard");
  const [signature, setSignature] = useState("");
  const [body, setBody] = useState("");
  const [receiverTime, setReceiverTime] = useState("");
  const facts = trpc.deliveries.debugSignature.useMutation();
  const check = trpc.deliveries.debugSignature.useMutation();
  const shown = check.data ?? facts.data;
  const [opened, setOpened] = useState(false);
  if (!opened) {
    return (
      <Button
        variant="outline"
        size="sm"
        className="mt-2"
        onClick={() => {
          setOpened(true);
          facts.mutate({ deliveryId, attempt, header });
        }}
      >
        Debug signature of attempt {attempt}
      </Button>
    );
  }
  const run = () =>
    check.mutate({
      deliveryId,
      attempt,
      header,
      signature: signature || undefined,
      body: body || undefined,
      receiverTime: receiverTime ? Number(receiverTime) : undefined,
    });
  return (
    <section
      aria-label={`Signature debugger, attempt ${attempt}`}
      className="mt-2 space-y-3 rounded-md bg-slate-50 p-3"
    >
      {shown ? (
        <Facts facts={shown} />
      ) : (
        <p role="status">{facts.error?.message ?? "Loading what was signed…"}</p>
      )}
      <form
        className="space-y-2"
        onSubmit={(event) => {
          event.preventDefault();
          run();
        }}
      >
        <fieldset className="flex flex-wrap gap-4">
          <legend className="mb-1 font-medium">The header your receiver verifies</legend>
          {(
            [
              ["standard", "webhook-signature (Standard Webhooks)"],
              ["nursa", "Nursa-Signature"],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="flex items-center gap-1.5">
              <input
                type="radio"
                name={`${id}-header`}
                checked={header === value}
                onChange={() => setHeader(value)}
              />
              {label}
            </label>
          ))}
        </fieldset>
        <label className="block" htmlFor={`${id}-signature`}>
          Signature your receiver computed (the value, or the whole header)
        </label>
        <textarea
          id={`${id}-signature`}
          className={FIELD}
          rows={2}
          value={signature}
          onChange={(e) => setSignature(e.target.value)}
        />
        <label className="block" htmlFor={`${id}-body`}>
          Body your receiver verified (optional: when it may differ from what was sent)
        </label>
        <textarea
          id={`${id}-body`}
          className={FIELD}
          rows={3}
          value={body}
          onChange={(e) => setBody(e.target.value)}
        />
        <label className="block" htmlFor={`${id}-time`}>
          Your receiver's clock when it verified, unix seconds (optional)
        </label>
        <input
          id={`${id}-time`}
          className={FIELD}
          inputMode="numeric"
          value={receiverTime}
          onChange={(e) => setReceiverTime(e.target.value.replace(/\D/g, ""))}
        />
        <Button type="submit" size="sm" disabled={check.isPending}>
          {check.isPending ? "Checking…" : "Check"}
        </Button>
      </form>
      <div role="status">
        {check.error && <p className="text-red-600">Not checked: {check.error.message}</p>}
        {check.data?.verdict && (
          <p className={check.data.verdict.ok ? "text-green-800" : "text-red-700"}>
            <strong>{check.data.verdict.title}.</strong> {check.data.verdict.explanation}
          </p>
        )}
      </div>
    </section>
  );
}

function Facts({ facts }: { facts: SignatureDebug }) {
  return (
    <div className="space-y-2">
      <p>
        Signed at {facts.timestamp} (webhook-timestamp) as webhook-id <code>{facts.webhookId}</code>; the body
        is {facts.body.bytes} bytes, SHA-256 <code className="break-all">{facts.body.sha256}</code>.
      </p>
      <p>
        Secrets:{" "}
        {facts.secrets
          .map(
            (secret) =>
              `${secret.fingerprint} (${secret.signedThis ? "signed this attempt" : "did not sign it"})`,
          )
          .join(", ") || "none"}
        . Values are never shown here.
      </p>
      <details>
        <summary className="cursor-pointer font-medium">
          What webhook-signature signs: &lt;webhook-id&gt;.&lt;timestamp&gt;.&lt;body&gt;
        </summary>
        <pre className="mt-1 overflow-auto whitespace-pre-wrap break-all">{facts.signedContent.standard}</pre>
        <p className="mt-1 break-all font-mono">webhook-signature: {facts.sent.standard}</p>
      </details>
      <details>
        <summary className="cursor-pointer font-medium">
          What Nursa-Signature signs: &lt;t&gt;.&lt;body&gt;
        </summary>
        <pre className="mt-1 overflow-auto whitespace-pre-wrap break-all">{facts.signedContent.nursa}</pre>
        <p className="mt-1 break-all font-mono">Nursa-Signature: {facts.sent.nursa}</p>
      </details>
    </div>
  );
}
