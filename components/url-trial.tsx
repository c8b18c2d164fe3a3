"use client";
import { useId, useState } from "react";
import type { UrlTrial } from "@/server/deliveries/deliveries.service";
import { brokenRules } from "@/server/webhooks/webhook-rules";
import { api, useApiCall } from "./api";
import { Button } from "./ui/button";
import { useHydrated } from "./use-hydrated";

/**
 * "Send a test to this URL": a signed example event to the URL and secrets as typed, before saving
 * them; shows how the receiver answered (status, time, headers, the start of its body) and what was
 * sent. Nothing is saved.
 */
export function UrlTrialButton({ read }: { read: () => { url: string; secrets: string[] } }) {
  const [result, setResult] = useState<UrlTrial | null>(null);
  const [refusal, setRefusal] = useState("");
  const { pending, call } = useApiCall((error) =>
    setRefusal(error.data?.messages?.join("; ") || error.message),
  );
  const statusId = useId();
  const hydrated = useHydrated();
  const tryUrl = () => {
    const { url, secrets } = read();
    // The rules a save checks, here before any request: a URL that could not be saved is not tried.
    const [problem] = [...brokenRules("url", url), ...brokenRules("secrets", secrets)];
    setResult(null);
    setRefusal(problem ?? "");
    if (!problem) void call(async () => setResult(await api.deliveries.tryUrl.mutate({ url, secrets })));
  };
  return (
    <div className="mt-2 space-y-2">
      <Button
        type="button"
        variant="outline"
        size="sm"
        onClick={tryUrl}
        disabled={pending || !hydrated}
        aria-describedby={statusId}
      >
        {pending ? "Sending a test…" : "Send a test to this URL"}
      </Button>
      <noscript>
        <span className="ml-3 text-sm text-slate-600">Trying a URL needs JavaScript.</span>
      </noscript>
      <p id={statusId} role="status" className="text-sm">
        {refusal && <span className="text-red-600">Not sent: {refusal}</span>}
        {result && summary(result)}
      </p>
      {result && <TrialDetails result={result} />}
    </div>
  );
}

const summary = ({ status, latencyMs, excerpt }: UrlTrial) =>
  status === null
    ? `No answer after ${latencyMs} ms: ${excerpt}. Nothing was saved.`
    : `The receiver answered HTTP ${status} in ${latencyMs} ms${
        status >= 200 && status < 300 ? "" : " (a delivery would count this as a failure)"
      }. Nothing was saved.`;

function TrialDetails({ result }: { result: UrlTrial }) {
  return (
    <div className="space-y-2 rounded-md border border-slate-200 p-3 text-xs">
      {result.status !== null && (
        <>
          <details open>
            <summary className="cursor-pointer font-medium">Answer headers ({result.headers.length})</summary>
            <HeaderList headers={result.headers} />
          </details>
          <details open>
            <summary className="cursor-pointer font-medium">
              Answer body{result.bytes === null ? " (its first 4 KB)" : ` (${result.bytes} bytes)`}
            </summary>
            <pre className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap break-all">
              {result.excerpt || "(empty)"}
            </pre>
          </details>
        </>
      )}
      <details>
        <summary className="cursor-pointer font-medium">What was sent</summary>
        <HeaderList headers={Object.entries(result.sent.headers)} />
        <pre className="mt-1 overflow-auto whitespace-pre-wrap break-all">{result.sent.body}</pre>
      </details>
    </div>
  );
}

function HeaderList({ headers }: { headers: [string, string][] }) {
  return (
    <dl className="mt-1 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5 font-mono">
      {headers.map(([name, value]) => (
        <div key={name} className="contents">
          <dt className="text-slate-600">{name}</dt>
          <dd className="break-all">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
