"use client";
import { Copy, Eye, EyeOff, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { MAX_SECRETS } from "@/server/webhooks/webhook-rules";
import { generateSecret } from "@/server/webhooks/webhook-secret";
import { notify } from "./notify";
import { Button } from "./ui/button";
import { Input } from "./ui/input";

/**
 * Signing secrets, masked until revealed. Rotation: generate a second secret, move the receiver
 * over (deliveries are signed with both meanwhile), then remove the old one.
 */
export function SecretsField({
  value,
  onChange,
  errorId,
}: {
  value: string[];
  onChange: (secrets: string[]) => void;
  errorId?: string;
}) {
  const [revealed, setRevealed] = useState<Set<string>>(new Set());
  const toggle = (secret: string) =>
    setRevealed((current) => {
      const next = new Set(current);
      if (!next.delete(secret)) next.add(secret);
      return next;
    });
  const copy = async (secret: string) => {
    try {
      await navigator.clipboard.writeText(secret);
      notify("success", "Secret copied");
    } catch {
      notify("error", "Could not copy: reveal the secret and copy it by hand");
    }
  };

  return (
    <div className="space-y-2">
      {value.map((secret, index) => {
        const n = index + 1;
        const shown = revealed.has(secret);
        return (
          <div key={secret} className="flex items-center gap-2">
            <Input
              aria-label={`Secret ${n}`}
              aria-describedby={errorId}
              type={shown ? "text" : "password"}
              value={secret}
              readOnly
              className="font-mono"
            />
            <Button
              variant="outline"
              size="icon"
              aria-label={`${shown ? "Hide" : "Reveal"} secret ${n}`}
              onClick={() => toggle(secret)}
            >
              {shown ? <EyeOff className="h-4 w-4" /> : <Eye className="h-4 w-4" />}
            </Button>
            <Button
              variant="outline"
              size="icon"
              aria-label={`Copy secret ${n}`}
              onClick={() => copy(secret)}
            >
              <Copy className="h-4 w-4" />
            </Button>
            <Button
              variant="outline"
              size="icon"
              aria-label={`Remove secret ${n}`}
              disabled={value.length <= 1}
              onClick={() => onChange(value.filter((_, i) => i !== index))}
            >
              <Trash2 className="h-4 w-4" />
            </Button>
          </div>
        );
      })}
      <Button
        variant="outline"
        size="sm"
        disabled={value.length >= MAX_SECRETS}
        onClick={() => onChange([...value, generateSecret()])}
      >
        <Plus className="h-4 w-4" /> Generate secret
      </Button>
      <p className="text-xs text-slate-500">
        Up to {MAX_SECRETS} secrets. While two exist every delivery is signed with both, so receivers can
        rotate without downtime: add the new one, update the receiver, then remove the old one.
      </p>
    </div>
  );
}
